/* How a run ends: serial drained, firmware state put back, results saved on the boot
   medium, then the exit= method (docs/kernel-args.md). */
#ifndef FPULAB_PLATFORM_H
#define FPULAB_PLATFORM_H

struct boot_info;

void platform_init(const struct boot_info *boot, int exit_method);
/* Returns only when control should go back to the firmware (EFI). */
void platform_finish(int status);
/* Exits at once without saving anything (used when even bailing out failed). */
__attribute__((noreturn)) void platform_stop(int status);

#endif
