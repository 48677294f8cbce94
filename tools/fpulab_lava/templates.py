"""Rendering lava/'s templates as a LAVA server does (jinja2, trim_blocks) and checking
the results with the schemas a server applies (lava_common.schemas)."""

import glob
import os
import re
import sys

import jinja2
import yaml
from lava_common.schemas import device as device_schema
from lava_common.schemas import validate as job_schema_validate

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAVA = os.path.join(REPO, "lava")
TEMPLATE_DIRS = [os.path.join(LAVA, folder) for folder in ("device-types", "devices", "jobs")]
# fpulab's argument words (docs/kernel-args.md): nothing a YAML or shell quote could break.
KERNEL_ARG_WORD = re.compile(r"[A-Za-z0-9_.:=*+/,?@%-]+")
DEVICE_TYPES = {"efi": "fpulab-qemu", "usb": "fpulab-qemu", "bios": "fpulab-qemu",
                "pc": "fpulab-pc"}
BUILD_FILES = {"efi_url": "fpulab.efi", "usb_url": "fpulab-usb.img",
               "iso_url": "fpulab.iso", "args_url": "fpulab-args.img"}
OVMF = "file:///usr/share/OVMF/"
# The jobs whose arguments are not in the job: how to put them on the medium it boots.
MEDIA_WITH_ARGS = {"usb": "tools/fpulab-lava set-args fpulab-usb.img -- ARGS",
                   "bios": "tools/make-args-disk.sh fpulab-args.img 'ARGS'"}


class TemplateError(Exception):
    """A template that does not render, or renders into something LAVA would refuse."""


def environment(strict):
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIRS), trim_blocks=True, keep_trailing_newline=True,
                              autoescape=False,
                              undefined=jinja2.StrictUndefined if strict else jinja2.Undefined)


def kernel_args_line(words, exit_word):
    """The kernel arguments as one line, with exit=EXIT_WORD unless an exit= is there."""
    for word in words:
        for part in word.split():
            if not KERNEL_ARG_WORD.fullmatch(part):
                raise TemplateError("kernel argument '%s': only letters, digits and "
                                    "_ . : = * + / , ? @ %% - are allowed" % part)
    words = " ".join(words).split()
    if exit_word and not any(word.startswith("exit=") for word in words):
        words.append("exit=" + exit_word)
    return " ".join(words)


def job_template_path(boot):
    name = "fpulab-pc.jinja2" if boot == "pc" else "fpulab-qemu-%s.jinja2" % boot
    return os.path.join(LAVA, "jobs", name)


def default_urls(url_base=None):
    base = url_base.rstrip("/") + "/" if url_base else "file://%s/build/" % REPO
    urls = {key: base + name for key, name in BUILD_FILES.items()}
    urls.update(ovmf_code_url=OVMF + "OVMF_CODE_4M.fd", ovmf_vars_url=OVMF + "OVMF_VARS_4M.fd")
    return urls


def job_variables(boot, kernel_args, urls, job_timeout):
    variables = dict(urls)
    variables.update(job_name="fpulab %s: %s" % (boot, kernel_args), kernel_args=kernel_args,
                     device_type=DEVICE_TYPES[boot], job_timeout=job_timeout,
                     deploy_timeout=min(300, job_timeout))
    return variables


def render(path, variables, strict):
    try:
        with open(path, encoding="utf-8") as source:
            template = environment(strict).from_string(source.read())
        return template.render(**variables)
    except (OSError, jinja2.TemplateError) as error:
        raise TemplateError("%s: %s" % (path, error)) from error


def parse(path, text):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplateError("%s: not YAML once rendered: %s" % (path, error)) from error
    if not isinstance(data, dict):
        raise TemplateError("%s: renders into no YAML mapping" % path)
    return data


def render_job(path, variables):
    """The job's text and data, checked as a server checks a submission (strict)."""
    text = render(path, variables, strict=True)
    job = parse(path, text)
    try:
        job_schema_validate(job, strict=True)
    except Exception as error:  # voluptuous' Invalid and its kin
        raise TemplateError("%s: LAVA's job schema refuses it: %s" % (path, error)) from error
    return text, job


def render_device(path, variables):
    """The device's text and data, checked with lava_common.schemas.device. Rendered
    stricter than a server does: a variable the templates use without a default must be
    set (connection_command and the like)."""
    text = render(path, variables, strict=True)
    device = parse(path, text)
    try:
        device_schema.validate(device)
    except Exception as error:
        raise TemplateError("%s: LAVA's device schema refuses it: %s" % (path, error)) from error
    return text, device


def print_job(options):
    exit_word = "halt" if options.boot == "pc" else "qemu"
    kernel_args = kernel_args_line(options.kernel_args, exit_word)
    variables = job_variables(options.boot, kernel_args, default_urls(options.url_base),
                              options.job_timeout)
    text, _ = render_job(job_template_path(options.boot), variables)
    sys.stdout.write(text)
    if options.boot in MEDIA_WITH_ARGS:
        print("fpulab-lava: this job's kernel arguments are on the medium it boots; make "
              "it with: %s" % MEDIA_WITH_ARGS[options.boot].replace("ARGS", kernel_args),
              file=sys.stderr)
    return 0


def validate_all():
    """TAP: every job template for each boot and every device dictionary in lava/."""
    checks = [("job/%s" % boot, lambda boot=boot: render_job(job_template_path(boot), job_variables(
        boot, "quick exit=qemu", default_urls(), 900))) for boot in DEVICE_TYPES]
    for path in sorted(glob.glob(os.path.join(LAVA, "devices", "*.jinja2"))):
        checks.append(("device/" + os.path.basename(path),
                       lambda path=path: render_device(path, {"fpulab_tools": REPO + "/tools"})))
    print("TAP version 14")
    failed = 0
    for number, (name, check) in enumerate(checks, 1):
        try:
            check()
            print("ok %d - lava/schema/%s" % (number, name))
        except TemplateError as error:
            failed += 1
            print("not ok %d - lava/schema/%s # %s" % (number, name, str(error).splitlines()[0]))
            print("\n".join("# " + line for line in str(error).splitlines()))
    print("1..%d" % len(checks))
    return 1 if failed else 0


def main(options):
    try:
        if options.command == "job":
            return print_job(options)
        if options.command == "device":
            path = options.dictionary or os.path.join(LAVA, "devices", "qemu-local.jinja2")
            text, _ = render_device(path, {"fpulab_tools": REPO + "/tools"})
            sys.stdout.write(text)
            return 0
        return validate_all()
    except TemplateError as error:
        print("fpulab-lava: %s" % error, file=sys.stderr)
        return 3
