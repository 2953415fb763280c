#!/usr/bin/env python3
"""csv_to_sqlite: an operator of one's own, in Python.

flux runs `run.py FIELDS.json`: FIELDS.json holds the task's parameters as
rendered for this try (defaults of operator.yaml filled in), "__run" (the
pipeline, run id, task, try and the run's interval) and "__conns" (the
connections the task names, as flux resolved them, passwords included:
only those this operator's connection parameters name). What it tells flux
it prints on standard output, one line each:
    ::output NAME=VALUE      an output other tasks read with task_outputs()
    ::counts read=R written=W rejected=J bytes=B   (a transfer must print it;
                             the task fails unless R == W + J)
    ::lineage {JSON}         a file, table or topic read or written
Exit status 0 is success; anything else fails the try (and it is retried).
"""
import csv
import hashlib
import json
import os
import sqlite3
import sys


def lineage(direction, kind, name, detail):
    print("::lineage " + json.dumps({"direction": direction, "kind": kind, "name": name, "detail": detail}))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        fields = json.load(f)
    run = fields["__run"]
    conn = fields["__conns"]["defined"][fields["target"]]
    if conn["type"] != "sqlite":
        print(f"flux: connection {fields['target']} is {conn['type']}, not sqlite", file=sys.stderr)
        return 1
    path, table = fields["path"], fields["table"]
    print(f"csv_to_sqlite: {path} into {table} ({fields['mode']}) for run {run['run_id']}, "
          f"connections given: {', '.join(sorted(fields['__conns']['defined']))}")
    read = written = rejected = 0
    with open(path, "rb") as f:
        data = f.read()
    rows = list(csv.reader(data.decode("utf-8").splitlines(), delimiter=fields["delimiter"]))
    header, body = rows[0], rows[1:]
    db = sqlite3.connect(conn["database"])
    with db:  # one transaction: all rows or none
        cols = ", ".join(f'"{c}" TEXT' for c in header)
        db.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        if fields["mode"] == "replace":
            db.execute(f'DELETE FROM "{table}"')
        marks = ", ".join("?" for _ in header)
        for line, row in enumerate(body, start=2):
            read += 1
            if len(row) != len(header):
                rejected += 1
                print(f"rejected {path}:{line}: {len(row)} fields, expected {len(header)}")
                continue
            db.execute(f'INSERT INTO "{table}" VALUES ({marks})', row)
            written += 1
    db.close()
    lineage("read", "file", os.path.realpath(path),
            {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "records": read})
    lineage("write", "table", table, {"rows": written})
    print(f"::output rows={written}")
    print(f"::counts read={read} written={written} rejected={rejected} bytes={len(data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
