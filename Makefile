# fpulab build. `make help` lists the targets.
# One set of kernel objects (position-independent, hidden visibility) is linked twice:
# into the GNU-EFI application and into the multiboot2 ELF.

BUILD      := build
OBJ        := $(BUILD)/obj
HOST       := $(BUILD)/host
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
VERSION    := 0.1.0

CC         ?= cc
NASM       ?= nasm
LD         ?= ld
OBJCOPY    ?= objcopy

# Rule 3: compiled C never touches x87/MMX/SSE/AVX registers.
NO_VECTOR_FLAGS := -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 -mno-avx

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-stack-check \
	-fpic -fvisibility=hidden -fshort-wchar -mno-red-zone \
	-maccumulate-outgoing-args -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer $(NO_VECTOR_FLAGS) \
	-DFPULAB_VERSION='"$(VERSION)"' -I. -Ikernel

EFI_CFLAGS := $(KERNEL_CFLAGS) -I$(EFI_INC) -I$(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI
GENERATED  := $(BUILD)/generated
NASMFLAGS  := -f elf64 -g -Ikernel/arch/ -Ikernel/vm/ -Isupport/ -I$(GENERATED)/
# NASM's -MD file leaves out %include'd files when it also writes an object, so every
# object depends on every include file.
ASM_INCLUDES := $(wildcard kernel/*/*.inc support/*.inc) $(GENERATED)/vmcs_fields.inc

# Portable code, compiled unchanged for the host unit tests (rule 5).
PORTABLE_SRC := $(wildcard kernel/lib/*.c) $(wildcard support/lib/*.c) $(wildcard lab/*.c)

KERNEL_C   := $(filter-out kernel/lib/%,$(wildcard kernel/*.c kernel/*/*.c)) \
	$(wildcard support/*.c bench/*.c) $(PORTABLE_SRC) lab/tests/lab_tests.c \
	lab/backends/xsave_fpu.c lab/backends/xsave_fpu_areas.c lab/backends/metal_backend.c
KERNEL_ASM := $(wildcard kernel/*.asm kernel/*/*.asm support/*.asm bench/*.asm)
KERNEL_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(KERNEL_C)) $(patsubst %.asm,$(OBJ)/%.o,$(KERNEL_ASM))

EFI_BOOT_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard boot/efi_*.c))
MB2_BOOT_OBJ := $(OBJ)/boot/multiboot2_entry.o $(OBJ)/boot/multiboot2_info.o

.PHONY: all efi elf iso usb host run test deps clean help check-no-vector bench-report lava bench-trace
all: efi elf iso usb host

help:
	@echo "make            build everything below"
	@echo "make efi        $(BUILD)/fpulab.efi   GNU-EFI application"
	@echo "make elf        $(BUILD)/fpulab.elf   multiboot2 kernel"
	@echo "make iso        $(BUILD)/fpulab.iso   hybrid BIOS/UEFI ISO (GRUB)"
	@echo "make usb        $(BUILD)/fpulab-usb.img  GPT image for a USB stick"
	@echo "make host       host tools and unit tests in $(BUILD)/host"
	@echo "make run        install what is missing, build, boot under QEMU"
	@echo "make test       every test; ends with 'summary: N passed, N failed, N skipped'"
	@echo "make fuzz       fuzz every parser for FUZZ_SECONDS (60) each (docs/fuzzing.md)"
	@echo "make bench-report  how long tools/fpulab-report takes over 10 full logs (limit 10 s)"
	@echo "make lava       install LAVA's dispatcher, run the QEMU job with lava-run (docs/lava.md)"
	@echo "make bench-trace  replay of a 1,000,000-event capture: seconds and memory (docs/tracing.md)"

deps:
	@tools/install-deps.sh

efi: $(BUILD)/fpulab.efi
elf: $(BUILD)/fpulab.elf
iso: $(BUILD)/fpulab.iso
usb: $(BUILD)/fpulab-usb.img

$(OBJ)/boot/efi_%.o: boot/efi_%.c
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# The VMCS field encodings of kernel/vmx/vmx.h as NASM defines: one definition for the
# C code and the world switch.
$(GENERATED)/vmcs_fields.inc: kernel/vmx/vmx.h
	@mkdir -p $(dir $@)
	sed -n 's/^#define \(VMCS_[A-Z0-9_]*\)[[:space:]][[:space:]]*\(0x[0-9a-fA-F]*\).*/%define \1 \2/p' $< > $@

$(OBJ)/%.o: %.asm $(ASM_INCLUDES)
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(BUILD)/fpulab.so: $(EFI_BOOT_OBJ) $(KERNEL_OBJ)
	$(LD) -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
		--no-undefined -L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o $^ -lgnuefi -o $@

$(BUILD)/fpulab.efi: $(BUILD)/fpulab.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

$(BUILD)/fpulab.elf: linker.ld $(MB2_BOOT_OBJ) $(KERNEL_OBJ)
	$(LD) -nostdlib -static -z max-page-size=0x1000 --no-warn-rwx-segments -T linker.ld $(MB2_BOOT_OBJ) $(KERNEL_OBJ) -o $@

$(BUILD)/fpulab.iso: $(BUILD)/fpulab.elf boot/grub.cfg tools/make-iso.sh
	tools/make-iso.sh $@ $<

$(BUILD)/fpulab-usb.img: $(BUILD)/fpulab.efi tools/make-usb-image.sh
	tools/make-usb-image.sh $@ $<

# ---- host side: unit tests of the portable code, tools ----
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -I. -Ikernel \
	-fsanitize=address,undefined -fno-sanitize-recover=all -DFPULAB_HOSTED
HOST_TESTS  := $(patsubst tests/host/%.c,$(HOST)/%,$(wildcard tests/host/test_*.c))

host: $(HOST_TESTS)

$(HOST)/test_%: tests/host/test_%.c $(PORTABLE_SRC) tests/host/unit.h $(wildcard kernel/lib/*.h support/lib/*.h lab/*.h lab/backends/*.h lab/tests/*.c tests/host/*_stub.c)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(PORTABLE_SRC) -o $@

# ---- tools/fpulab-trace (docs/tracing.md): its C side, its unit tests, the workloads ----
TRACE_SRC      := $(filter-out trace/main.c,$(wildcard trace/*.c))
TRACE_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -I. -Ikernel -DFPULAB_HOSTED \
	-DFPULAB_VERSION='"$(VERSION)"'
TRACE_HEADERS  := $(wildcard trace/*.h lab/*.h kernel/lib/*.h)
WORKLOADS      := $(patsubst tests/trace/workloads/%.c,$(HOST)/workloads/%,$(wildcard tests/trace/workloads/*.c))

host: $(HOST)/fpulab-trace $(WORKLOADS)

$(HOST)/fpulab-trace: trace/main.c $(TRACE_SRC) $(PORTABLE_SRC) $(TRACE_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(TRACE_CFLAGS) trace/main.c $(TRACE_SRC) $(PORTABLE_SRC) -o $@

$(HOST)/test_trace: tests/host/test_trace.c $(TRACE_SRC) $(PORTABLE_SRC) tests/host/unit.h $(TRACE_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -DFPULAB_VERSION='"$(VERSION)"' $< $(TRACE_SRC) $(PORTABLE_SRC) -o $@

# Linux programs that exercise the kernel's FPU switching (they use AVX on purpose).
$(HOST)/workloads/%: tests/trace/workloads/%.c tests/trace/workloads/workload.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -mavx -pthread $< -o $@

# The replay benchmark (docs/tracing.md "Performance"): a synthetic 1,000,000-event
# capture through every configuration and the oracle; prints the time and the memory.
bench-trace: $(HOST)/fpulab-trace
	@tests/trace/bench-replay.sh

run:
	./run-qemu.sh

# LAVA's dispatcher is installed only here and by make test's suite lava (docs/lava.md).
lava:
	@tools/install-deps.sh --lava
	tools/fpulab-lava run -- quick

# A fresh machine needs nothing else: the packages, the build, every suite.
test:
	@tools/install-deps.sh --browser
	@$(MAKE) --no-print-directory all
	@tests/run-all.sh

# A benchmark, not a test: prints the figure (docs/report.md, "Performance").
bench-report: $(HOST)/fpulab-host
	@tools/bench-report.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
include host/host.mk
include tests/fuzz/fuzz.mk
