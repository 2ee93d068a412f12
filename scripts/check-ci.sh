#!/usr/bin/env bash
# Checks the hosted CI workflow (.github/workflows/ci.yml) with a real YAML parser, since nothing
# here can run it: the structure that makes it work, as docs/testing.md ("Hosted CI") describes.
#   scripts/check-ci.sh [FILE]   prints each problem, exits 1 if any (FILE: default the workflow)
# Run by `make test` (tests/run-all.sh) as one test. Needs python3 and python3-yaml
# (scripts/install-deps.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
file=${1:-.github/workflows/ci.yml}

# Debian's python3, which python3-yaml serves (a python3 earlier on PATH may lack the module).
py=/usr/bin/python3
[ -x "$py" ] || py=python3

exec "$py" - "$file" <<'PYEOF'
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("check-ci: python3 has no yaml module (package python3-yaml: scripts/install-deps.sh)")
    sys.exit(1)

path = sys.argv[1]
problems = []


def problem(msg):
    problems.append(msg)


try:
    with open(path) as f:
        doc = yaml.safe_load(f)
except (OSError, yaml.YAMLError) as e:
    print(f"check-ci: {path}: cannot parse: {e}")
    sys.exit(1)

if not isinstance(doc, dict):
    print(f"check-ci: {path}: not a mapping at the top")
    sys.exit(1)

# YAML 1.1 reads the key `on` as the boolean true.
triggers = doc.get("on", doc.get(True))
if not triggers:
    problem("no 'on:' triggers")
elif isinstance(triggers, dict):
    for t in ("push", "pull_request"):
        if t not in triggers:
            problem(f"not triggered on {t}")

jobs = doc.get("jobs")
if not isinstance(jobs, dict) or not jobs:
    print(f"check-ci: {path}: no jobs")
    sys.exit(1)

# The job that runs the tests: the one whose steps start .ci/run.
def run_text(step):
    return step.get("run", "") if isinstance(step, dict) and isinstance(step.get("run", ""), str) else ""


def index_of(steps, pred):
    for i, s in enumerate(steps):
        if isinstance(s, dict) and pred(s):
            return i
    return None


test_jobs = [(n, j) for n, j in jobs.items()
             if isinstance(j, dict) and isinstance(j.get("steps"), list)
             and any(".ci/run" in run_text(s) for s in j["steps"])]
if len(test_jobs) != 1:
    print(f"check-ci: {path}: want exactly one job whose steps run .ci/run, found {len(test_jobs)}")
    sys.exit(1)
name, job = test_jobs[0]
steps = job["steps"]
where = f"job '{name}'"

if not str(job.get("runs-on", "")).startswith("ubuntu-"):
    problem(f"{where}: runs-on is {job.get('runs-on')!r}, want a hosted ubuntu-* runner")
timeout = job.get("timeout-minutes")
if not isinstance(timeout, int) or not 0 < timeout <= 90:
    problem(f"{where}: timeout-minutes is {timeout!r}, want at most 90 (CI's limit)")
if "container" in job:
    problem(f"{where}: a job-level container starts before any step, before the udev rule for "
            "/dev/kvm: run debian:12 from a step with docker run")

checkout = index_of(steps, lambda s: str(s.get("uses", "")).startswith("actions/checkout@"))
if checkout is None:
    problem(f"{where}: no actions/checkout step")

udev = index_of(steps, lambda s: 'KERNEL=="kvm"' in run_text(s))
if udev is None:
    problem(f"{where}: no step writing the udev rule for /dev/kvm (KERNEL==\"kvm\" ...)")
else:
    t = run_text(steps[udev])
    for needle in ('MODE="0666"', "/etc/udev/rules.d/", "udevadm control --reload-rules",
                   "udevadm trigger --name-match=kvm"):
        if needle not in t:
            problem(f"{where}: the udev step lacks {needle!r}")
    if not re.search(r"if \[ -e /dev/kvm \]", t):
        problem(f"{where}: the udev step does not go on where /dev/kvm is absent ([ -e /dev/kvm ])")

docker = index_of(steps, lambda s: "docker run" in run_text(s) and ".ci/run" in run_text(s))
if docker is None:
    problem(f"{where}: no step runs .ci/run with docker run")
else:
    t = run_text(steps[docker])
    if not re.search(r"(^|\s)debian:12(\s|$)", t):
        problem(f"{where}: the container image is not debian:12")
    if "--device /dev/kvm" not in t:
        problem(f"{where}: /dev/kvm is not passed into the container (--device /dev/kvm)")
    elif not re.search(r"if \[ -e /dev/kvm \]; then [^\n]*--device /dev/kvm", t):
        problem(f"{where}: --device /dev/kvm is not guarded by [ -e /dev/kvm ] "
                "(docker refuses to start without the device)")
    if not re.search(r"-e CI=true\b", t):
        problem(f"{where}: the container does not get CI=true")
    if not re.search(r"\bbash \.ci/run\b", t):
        problem(f"{where}: the container does not run 'bash .ci/run'")
    if "/root/.cache/kestrel" not in t:
        problem(f"{where}: the cache directory is not mounted at root's ~/.cache/kestrel")
    if udev is not None and udev > docker:
        problem(f"{where}: the udev step comes after the container step")
    if checkout is not None and checkout > docker:
        problem(f"{where}: the checkout comes after the container step")

cache = index_of(steps, lambda s: str(s.get("uses", "")).startswith("actions/cache@"))
if cache is not None:
    w = steps[cache].get("with") or {}
    if "~/.cache/kestrel" not in str(w.get("path", "")):
        problem(f"{where}: the cache step does not keep ~/.cache/kestrel")
    if "scripts/build-bochs.sh" not in str(w.get("key", "")):
        problem(f"{where}: the cache key does not hash scripts/build-bochs.sh")
    if docker is not None and cache > docker:
        problem(f"{where}: the cache is restored after the container step")

upload = index_of(steps, lambda s: str(s.get("uses", "")).startswith("actions/upload-artifact@"))
if upload is None:
    problem(f"{where}: no actions/upload-artifact step for the serial logs")
else:
    s = steps[upload]
    if "failure()" not in str(s.get("if", "")):
        problem(f"{where}: the serial logs are not uploaded on failure (if: failure())")
    if "build/tests/**/serial" not in str((s.get("with") or {}).get("path", "")):
        problem(f"{where}: the upload does not take build/tests/**/serial*.log")
    if docker is not None and upload < docker:
        problem(f"{where}: the upload comes before the tests")

# Every run: block is bash (the runner's default shell for it): it must at least parse.
# ${{ ... }} expressions are filled in by the runner first: stand in a word for each.
for i, s in enumerate(steps):
    t = run_text(s)
    if t:
        t = re.sub(r"\$\{\{.*?\}\}", "EXPR", t)
        r = subprocess.run(["bash", "-n"], input=t, text=True, capture_output=True)
        if r.returncode != 0:
            problem(f"{where}: step {i + 1} ({s.get('name', 'unnamed')}): bash -n: "
                    f"{r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'fails'}")

try:
    with open(".ci/run") as f:
        ci_run = f.read()
    if not re.search(r"^\s*(exec\s+)?make test\s*$", ci_run, re.M):
        problem(".ci/run does not run 'make test'")
    # debian:12 has no make: .ci/run must bring it (scripts/install-deps.sh) first.
    if "scripts/install-deps.sh" not in ci_run.split("make test")[0]:
        problem(".ci/run does not install make (scripts/install-deps.sh) before 'make test'")
except OSError as e:
    problem(f".ci/run: {e}")

for p in problems:
    print(f"check-ci: {path}: {p}")
if problems:
    sys.exit(1)
print(f"check-ci: {path}: OK (job '{name}': debian:12 via docker run, /dev/kvm if present, "
      f"udev rule first, .ci/run, timeout {timeout} min)")
PYEOF
