# The hosted build: build/host/fpulab-host runs the user-mode subset of fpulab on the
# Linux machine it was built on, with the kernel's runner, harness, tests and output
# contract ("boot":"host"). Included from the Makefile; `make host` builds it.
#
# The shared sources are compiled a second time with user-space flags: still no vector
# registers in compiled C (rule 3), FPULAB_HOSTED so kernel/lib/string.h's memcpy & co.
# leave libc's alone, no loop turned into a call to libc's vectorised memset/strlen
# (-fno-tree-loop-distribute-patterns: a test's registers must survive our C), and
# host/hosted_arch.h forced in so control-register reads (fault dumps) do not #GP.
# The files in host/ provide the kernel services the shared code calls.

HOSTED_OBJ := $(HOST)/obj

HOSTED_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-omit-frame-pointer -fno-builtin -fno-tree-loop-distribute-patterns $(NO_VECTOR_FLAGS) \
	-DFPULAB_VERSION='"$(VERSION)"' -DFPULAB_HOSTED -D_GNU_SOURCE -pthread -I. -Ikernel -include host/hosted_arch.h
HOSTED_LDFLAGS := -pthread -Wl,-z,now -Wl,-z,noexecstack

HOSTED_SHARED_C := $(PORTABLE_SRC) kernel/test_runner.c kernel/guarded_call.c \
	kernel/arch/trap.c kernel/cpu_features.c kernel/cpu_record.c kernel/timekeeping.c \
	kernel/selftests.c support/harness.c support/harness_cycles.c support/harness_record.c support/clocks.c \
	bench/harness_tests.c support/xsave_support.c \
	bench/xsave_tests.c bench/xsave_bench.c support/amx.c bench/amx_tests.c lab/tests/lab_tests.c \
	lab/backends/xsave_fpu.c lab/backends/xsave_fpu_areas.c lab/backends/hosted_backend.c
HOSTED_OWN_C := $(wildcard host/*.c)
HOSTED_ASM := kernel/arch/safe.asm kernel/arch/interrupt_entry.asm \
	support/harness_core.asm bench/harness_bodies.asm bench/xsave_bodies.asm
HOSTED_OBJECTS := $(patsubst %.c,$(HOSTED_OBJ)/%.o,$(HOSTED_SHARED_C) $(HOSTED_OWN_C)) \
	$(patsubst %.asm,$(HOSTED_OBJ)/%.o,$(HOSTED_ASM))

host: $(HOST)/fpulab-host

$(HOSTED_OBJ)/%.o: %.c host/hosted_arch.h host/host.mk
	@mkdir -p $(dir $@)
	$(CC) $(HOSTED_CFLAGS) -MMD -MP -c $< -o $@

$(HOSTED_OBJ)/%.o: %.asm $(ASM_INCLUDES)
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(HOST)/fpulab-host: $(HOSTED_OBJECTS)
	$(CC) $(HOSTED_LDFLAGS) $^ -o $@


-include $(shell find $(HOSTED_OBJ) -name '*.d' 2>/dev/null)
