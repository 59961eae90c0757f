"""Code changes: git ranges and unified patches to changed lines, findings on those lines, baselines."""
