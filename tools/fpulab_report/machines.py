"""Which machine a run ran on, from its cpu record (docs/output.md)."""

from collections import OrderedDict

UNKNOWN = ("unknown",)


def cpu_key(run):
    """Runs with equal keys ran on the same kind of CPU."""
    cpu = run.cpu
    if not cpu:
        return UNKNOWN
    return (cpu.get("vendor"), cpu.get("family"), cpu.get("model"), cpu.get("stepping"),
            cpu.get("brand", ""), cpu.get("hypervisor_vendor", ""))


def cpu_label(run):
    cpu = run.cpu
    if not cpu:
        return "unknown CPU (no cpu record)"
    brand = cpu.get("brand") or cpu.get("vendor", "?")
    label = f"{brand} (family {cpu['family']}, model {cpu['model']}, stepping {cpu['stepping']})"
    if cpu.get("hypervisor_vendor"):
        label += f", under {cpu['hypervisor_vendor']}"
    return label


def group_by_cpu(runs):
    """OrderedDict cpu key -> runs, in the order the CPUs first appear."""
    groups = OrderedDict()
    for run in runs:
        groups.setdefault(cpu_key(run), []).append(run)
    return groups


def _hz(value):
    return f"{value / 1e9:.3f} GHz" if value else "unknown"


def _true_features(features):
    return ", ".join(name for name, value in features.items() if value is True) or "none"


def _clocks(clocks):
    if not clocks:
        return ""
    others = [f"{name}: {value}" for name, value in clocks.items() if name != "run"]
    return f"{clocks.get('run', '?')} (" + "; ".join(others) + ")"


def _virtualization(cpu):
    parts = []
    for name in ("vmx", "svm"):
        details = cpu.get(name)
        if isinstance(details, dict):
            on = [key for key, value in details.items() if value is True]
            parts.append(f"{name.upper()} ({', '.join(on) or 'no extras'})")
    return ", ".join(parts) or "none"


def _smp(cpu):
    smp = cpu.get("smp")
    if not isinstance(smp, dict):
        return ""
    if smp.get("second_cpu"):
        return f"second CPU started (APIC ID {smp.get('apic_id')})"
    return f"one CPU: {smp.get('reason', '')}"


def machine_rows(run):
    """(field, value) pairs describing the machine of run, for tables."""
    cpu = run.cpu or {}
    if not cpu:
        return [("cpu record", "absent from the log")]
    microcode = cpu.get("microcode")
    rows = [
        ("CPU", cpu_label(run)),
        ("vendor", cpu.get("vendor", "")),
        ("microcode", hex(microcode) if isinstance(microcode, int) else "not readable"),
        ("hypervisor", cpu.get("hypervisor_vendor") or ("yes" if cpu.get("hypervisor") else "none")),
        ("TSC", f"{_hz(cpu.get('tsc_hz', 0))} ({cpu.get('tsc_hz_source', '?')})"),
        ("clock of the benchmarks", _clocks(cpu.get("clocks"))),
        ("XCR0 set / supported", f"{cpu.get('xcr0', '?')} / {cpu.get('xcr0_supported', '?')}"),
        ("IA32_XSS supported", cpu.get("xss_supported", "?")),
        ("features", _true_features(cpu.get("features", {}))),
        ("virtualization", _virtualization(cpu)),
        ("CPUs", _smp(cpu)),
        ("watchdog", cpu.get("watchdog", "")),
    ]
    return [(name, value) for name, value in rows if value != ""]


def run_rows(run):
    """(field, value) pairs describing the run itself: boot, arguments, version."""
    fpulab = run.fpulab or {}
    return [("boot", fpulab.get("boot", "?")), ("arguments", fpulab.get("args", "")),
            ("fpulab version", fpulab.get("version", "?"))]
