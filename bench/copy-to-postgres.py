#!/usr/bin/env python3
"""Copies the rows the caseload and the patient search read from a generated SQLite
database into a migrated, empty PostgreSQL database, with COPY through psql: a 50,000-patient
clinic on PostgreSQL in seconds, where generating it through the services takes hours.

    physioplan migrate --database-url postgres://USER:PASSWORD@HOST/DB
    python3 bench/copy-to-postgres.py bench-50000-c1-t8-s1.db postgres://USER:PASSWORD@HOST/DB
    psql postgres://USER:PASSWORD@HOST/DB -c ANALYZE

Copied: clinics, users (so the generated sign-ins work), patients, patient_search,
caseload_summary, caseload_counts and caseload_marks. Plans and assessments are not copied:
the plan and patient pages of the copy are not meaningful.
"""
import sqlite3
import subprocess
import sys

TABLES = ["clinics", "users", "patients", "patient_search", "caseload_summary", "caseload_counts", "caseload_marks"]


def cell(value):
    """One CSV field: NULL unquoted and empty, text quoted (so '' stays text)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def main(source, url):
    db = sqlite3.connect(source)
    for table in TABLES:
        query = f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
        target = subprocess.run(["psql", "-At", url, "-c", query], capture_output=True, text=True, check=True)
        wanted = set(target.stdout.split())
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] in wanted]
        copy = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        psql = subprocess.Popen(["psql", "-q", url, "-c", copy], stdin=subprocess.PIPE, text=True)
        rows = 0
        for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
            psql.stdin.write(",".join(cell(v) for v in row) + "\n")
            rows += 1
        psql.stdin.close()
        if psql.wait() != 0:
            sys.exit(f"copying {table} failed")
        print(f"{table}: {rows} rows", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
