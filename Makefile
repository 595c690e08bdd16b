# Bulkhead: `make CONFIG=name` builds build/name/bulkhead.elf from
# configs/name.yaml; `make run CONFIG=name` boots it; `make test` proves it.
# `make help` lists every target.

CONFIG ?= qemu-hello
# Extra QEMU options for `make run`, e.g. QEMU_EXTRA="-s -S" to wait for gdb.
QEMU_EXTRA ?=
# CONFIG=name means configs/name.yaml; CONFIG=path/to/name.yaml is that file.
CONFIG_FILE := $(if $(filter %.yaml,$(CONFIG)),$(CONFIG),configs/$(CONFIG).yaml)
CONFIG_NAME := $(basename $(notdir $(CONFIG_FILE)))
OUT := build/$(CONFIG_NAME)
GEN := $(OUT)/gen

# Every target starts by installing what is missing (first use only).
DEPS_OK := $(shell tools/ensure-deps >&2 || echo fail)
ifneq ($(DEPS_OK),)
$(error tools/ensure-deps failed: see the message above)
endif
PYTHON := $(shell tools/find-python)
ifeq ($(PYTHON),)
$(error no Python 3 with PyYAML, Jinja2, pylibfdt, pytest, jsonschema and pexpect; install python3-yaml python3-jinja2 python3-libfdt python3-pytest python3-jsonschema python3-pexpect)
endif
export PYTHON

GENERATOR := $(PYTHON) generator/bulkhead-gen
GENERATOR_SOURCES := $(wildcard generator/bulkhead-gen generator/bulkhead/*.py templates/*)

.DEFAULT_GOAL := all
.PHONY: all run info check guests hypervisor test test-generator test-hypervisor \
	test-boot bench clean help board-files lock-board-files FORCE

all: $(OUT)/bulkhead.elf

# deps.mk names the board, guests and payload files of the config, so that
# guests are built (or fetched) before the generator needs their sizes.
$(OUT)/deps.mk: $(CONFIG_FILE) $(GENERATOR_SOURCES)
	@$(GENERATOR) deps --config $(CONFIG_FILE) --out $(OUT)

# `include`, not `-include`: an invalid config stops make at deps, with its
# diagnostics printed once, before any guest is built. `check` needs no deps.
ifeq ($(filter check clean help test test-generator test-hypervisor board-files lock-board-files,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(CONFIG_FILE)),)
$(error $(CONFIG_FILE) does not exist; configs: $(basename $(notdir $(wildcard configs/*.yaml))))
endif
# A deps.mk written for another config file of the same name (or by an
# older generator) could name files that have gone: start afresh.
ifneq ($(shell grep -sqxF 'BH_CONFIG_FILE := $(CONFIG_FILE)' $(OUT)/deps.mk && echo same),same)
$(shell rm -f $(OUT)/deps.mk)
endif
include $(OUT)/deps.mk
endif

# Generated disk images (rules in deps.mk); a user's image must exist to run.
all run: $(BH_DISKS)
# The board's boot artifact (deps.mk names it when the board has one).
all: $(BH_BOOT_ARTIFACT)
run: $(BH_USER_DISKS)

guests: $(addprefix guest-,$(BH_GUESTS))
guest-%: FORCE
	@$(MAKE) -s --no-print-directory -C guests/$* OUT=$(CURDIR)/build/guests/$*

# Payload files are produced by their guest's own Makefile.
$(BH_PAYLOADS): guests

# A file the config names that has gone since deps.mk was written: the
# generator says where it is named (and fails). A user's disk image is only
# ever read: no rule makes, writes or deletes one (generated disks, in
# BH_DISKS, are made by the rules in deps.mk, under build/).
$(BH_FILES) $(BH_USER_DISKS):
	@$(GENERATOR) deps --config $(CONFIG_FILE) --out $(OUT)

$(GEN)/.stamp: $(BH_INPUTS) $(BH_PAYLOADS) $(GENERATOR_SOURCES)
	@$(GENERATOR) build --config $(CONFIG_FILE) --out $(OUT)
	@touch $@

$(OUT)/bulkhead.elf: $(GEN)/.stamp FORCE
	@$(MAKE) -s --no-print-directory -C hypervisor GEN=$(CURDIR)/$(GEN) OUT=$(CURDIR)/$(OUT)

# A board's boot artifact (boot-artifact: fit): the FIT image U-Boot SPL
# loads, cut out of bulkhead.elf by tools/mkfit (docs/boards.md).
$(OUT)/bulkhead.itb: $(OUT)/bulkhead.elf $(GEN)/.stamp tools/mkfit
	@echo "  FIT     $@"
	@$(PYTHON) tools/mkfit --elf $(OUT)/bulkhead.elf --gen $(GEN) --out $@

# On a terminal, the hypervisor is told so (qemu-terminal.args): it then
# redraws the focused capsule's unfinished line after other output.
run: $(OUT)/bulkhead.elf
	@test -f $(GEN)/qemu.args || { echo "bulkhead: $(BH_BOARD) is a real board, not a QEMU machine: put $(BH_BOOT_ARTIFACT) on it (docs/boards.md)" >&2; exit 1; }
	@echo "bulkhead: booting $(OUT)/bulkhead.elf; Ctrl-] then a digit focuses a capsule, Ctrl-] ? lists the console keys, Ctrl-A X quits QEMU"
	@set -- $$(cat $(GEN)/qemu.args); \
	if [ -t 1 ]; then set -- "$$@" $$(cat $(GEN)/qemu-terminal.args); fi; \
	exec "$$@" $(QEMU_EXTRA) -kernel $(OUT)/bulkhead.elf

info: $(GEN)/.stamp
	@$(GENERATOR) info --config $(CONFIG_FILE) --out $(OUT)

check:
	@$(GENERATOR) check --config $(CONFIG_FILE)
	@echo "$(CONFIG_FILE): valid"

# One pytest run over every Python test, after the host-compiled unit tests.
test: test-hypervisor
	@$(PYTHON) -m pytest -q tests

test-generator:
	@$(PYTHON) -m pytest -q tests/generator

test-hypervisor:
	@$(MAKE) --no-print-directory -C tests/hypervisor

test-boot:
	@$(PYTHON) -m pytest -q tests/boot

# BENCH_ARGS="--parts irq,io" runs some parts only (tests/bench/run.py --help).
BENCH_ARGS ?=
bench:
	@$(PYTHON) tests/bench/run.py $(BENCH_ARGS)

# The real boards' device trees and Debian's HiFive Unleashed U-Boot SPL, as
# boards/packages.lock locks them, into build/boards/ (tools/fetch-boards).
board-files:
	@$(PYTHON) tools/fetch-boards fetch

lock-board-files:
	@$(PYTHON) tools/fetch-boards lock

clean:
	rm -rf build

help:
	@echo "make [CONFIG=name]        build build/name/bulkhead.elf (default CONFIG=qemu-hello)"
	@echo "                          CONFIG=path/to/name.yaml: that file, into build/name/"
	@echo "make run [CONFIG=name]    build and boot it in QEMU"
	@echo "make info [CONFIG=name]   print the resolved system; write build/name/system.svg"
	@echo "make check [CONFIG=name]  validate configs/name.yaml only"
	@echo "make test                 generator, hypervisor unit and QEMU boot tests"
	@echo "make bench                benchmarks (figures, not pass/fail); BENCH_ARGS=\"--parts irq,io\" for some"
	@echo "make board-files          fetch the real boards' device trees and U-Boot SPL into build/boards/"
	@echo "make clean                remove build/"
	@echo "configs: $(basename $(notdir $(wildcard configs/*.yaml)))"

FORCE:
