"""Send reviews to review systems (GitHub pull requests, Gerrit changes); see README.md."""
