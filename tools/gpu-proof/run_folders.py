"""What the rerun tables share about run folders: the --sensor option, which attempts completed, and
the measured waves' requests lines of those attempts (iterations.jsonl)."""
import json


def sensor_option(args, default="nvml"):
    """Takes --sensor NAME out of args (a list, changed in place) and returns NAME, else the default."""
    if "--sensor" in args:
        i = args.index("--sensor")
        name = args[i + 1]
        del args[i:i + 2]
        return name
    return default


def completed_invocations(d):
    """The invocations whose trial completed (trials.jsonl), or None where it is absent: a run folder
    that a stopped call left behind and a later call resumed also holds the stopped attempt's waves,
    which summary.json leaves out, and so must every figure read beside it."""
    try:
        return {t.get("invocation") for t in map(json.loads, open(d + "/trials.jsonl"))
                if t.get("status") == "complete"}
    except OSError:
        return None


def measured_waves(d):
    """The requests lines of the measured waves of the completed attempts in run folder d."""
    done = completed_invocations(d)
    for line in open(d + "/iterations.jsonl"):
        r = json.loads(line)
        if done is not None and r.get("invocation") not in done:
            continue
        if r.get("kind") == "requests" and r.get("iteration") == "measurement":
            yield r
