# Coverage-guided fuzzing of the parsers (docs/fuzzing.md). Included from the Makefile.
# `make fuzz` runs every target for FUZZ_SECONDS each; `make fuzz-build` only builds
# them. The suite `fuzz` of tests/run-all.sh runs each for a few seconds.

FUZZ       := $(BUILD)/fuzz
FUZZ_CC    ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_TARGETS := fpulab_log scenario kernel_args

FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -I. -Ikernel \
	-DFPULAB_HOSTED -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

FUZZ_SOURCES_fpulab_log  := $(filter-out tools/fpulab_log/main.c,$(wildcard tools/fpulab_log/*.c))
FUZZ_SOURCES_scenario    := $(PORTABLE_SRC)
FUZZ_SOURCES_kernel_args := kernel/lib/kernel_args.c kernel/lib/glob.c kernel/lib/string.c

FUZZ_HEADERS := $(wildcard tools/fpulab_log/*.h kernel/lib/*.h support/lib/*.h lab/*.h)

.PHONY: fuzz fuzz-build
fuzz-build: $(patsubst %,$(FUZZ)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ)/fuzz_fpulab_log: $(FUZZ_SOURCES_fpulab_log)
$(FUZZ)/fuzz_scenario: $(FUZZ_SOURCES_scenario)
$(FUZZ)/fuzz_kernel_args: $(FUZZ_SOURCES_kernel_args)

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HEADERS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_SOURCES_$*) -o $@

# Keeps what it learns in $(FUZZ)/corpus/TARGET between runs.
fuzz:
	@FPULAB_FUZZ_SECONDS=$(FUZZ_SECONDS) FPULAB_FUZZ_WORK=$(FUZZ)/corpus \
		FPULAB_FUZZ_FLAGS="$(FUZZ_FLAGS)" FUZZ_CC=$(FUZZ_CC) tests/fuzz/run-fuzz.sh
