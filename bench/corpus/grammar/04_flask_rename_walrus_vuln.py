"""Bulk rename of uploaded scans; names picked with assignment expressions (3.8+)."""
import os

from flask import Flask, request

app = Flask(__name__)
SCANS = "/srv/scans"


@app.post("/scans/rename")
def rename_scans():
    renamed = 0
    for old in os.listdir(SCANS):
        if (prefix := request.form.get("prefix")) and not old.startswith(prefix):
            os.system(f"mv {SCANS}/{old} {SCANS}/{prefix}-{old}")
            renamed += 1
    return {"renamed": renamed}
