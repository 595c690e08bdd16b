# SPDX-License-Identifier: MIT
# Build rules shared by the bare-metal test guests. A guest's Makefile sets
# GUEST (its name) and SRCS (its own .c/.S files), then includes this file.
#
#   make -C guests/NAME OUT=/abs/build/guests/NAME
#
# produces $(OUT)/NAME.elf (linked at 0x80200000, loadable on OpenSBI too)
# and $(OUT)/NAME.bin, the raw image a capsule boots at any base address.
# Before NAME.bin is written the guest is linked a second time at another
# address: both raw images must be identical, which proves the code holds
# no absolute addresses (no R_RISCV_64/32/HI20/LO12 relocations).

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
COMMON := $(REPO)/guests/common
GUEST_DIR := $(REPO)/guests/$(GUEST)
OUT ?= $(REPO)/build/guests/$(GUEST)
override OUT := $(abspath $(OUT))

CROSS_COMPILE ?= riscv64-unknown-elf-
CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
READELF := $(CROSS_COMPILE)readelf

LINK_BASE := 0x80200000
CHECK_BASE := 0x3f654000

ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
# -fno-tree-switch-conversion: GCC would turn some switches into tables of
# absolute pointers, which a position-independent image cannot hold.
CFLAGS := $(ARCH_FLAGS) -ffreestanding -nostdlib -fno-common -O2 -g \
	-fno-tree-switch-conversion \
	-Wall -Wextra -I$(COMMON) -MMD -MP \
	-ffile-prefix-map=$(REPO)/= -Wa,--debug-prefix-map=$(REPO)/=
LDFLAGS := $(ARCH_FLAGS) -nostdlib -static -Wl,--build-id=none \
	-Wl,--emit-relocs -T $(COMMON)/guest.ld

COMMON_SRCS := start.S trap.S runtime.c sbi.c fdt.c format.c string.c \
	archstate.S state.c plic.c time_of_day.c
OBJS := $(addprefix $(OUT)/obj/,$(addsuffix .o,$(basename $(SRCS)))) \
	$(addprefix $(OUT)/obj/common/,$(addsuffix .o,$(basename $(COMMON_SRCS))))
# `make V=1` shows the commands; by default one short line per step.
ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @echo "  $(1)	$(GUEST): $(notdir $(2))"
endif

# Flags live in these files: a change to them rebuilds everything.
BUILD_FILES := $(COMMON)/guest.mk $(GUEST_DIR)/Makefile

.PHONY: all clean
.DELETE_ON_ERROR:
all: $(OUT)/$(GUEST).bin

$(OUT)/obj/%.o: $(GUEST_DIR)/%.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/obj/%.o: $(GUEST_DIR)/%.S $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/obj/common/%.o: $(COMMON)/%.c $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/obj/common/%.o: $(COMMON)/%.S $(BUILD_FILES)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/$(GUEST).elf: $(OBJS) $(COMMON)/guest.ld
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,--defsym=GUEST_LINK_BASE=$(LINK_BASE) -o $@ $(OBJS)

$(OUT)/$(GUEST).check.elf: $(OBJS) $(COMMON)/guest.ld
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,--defsym=GUEST_LINK_BASE=$(CHECK_BASE) -o $@ $(OBJS)

# Relocations of allocated sections that encode an absolute address.
ABSOLUTE_RELOCS = $(READELF) -rW $< | awk \
	'/^Relocation section/ { keep = ($$3 !~ /debug/) } \
	 keep && $$3 ~ /^R_RISCV_(64|32|HI20|LO12_I|LO12_S)$$/ { print "  " $$0 }'

$(OUT)/$(GUEST).bin: $(OUT)/$(GUEST).elf $(OUT)/$(GUEST).check.elf
	$(call quiet,BIN,$@)
	$(Q)$(OBJCOPY) -O binary $< $@.tmp
	$(Q)$(OBJCOPY) -O binary $(OUT)/$(GUEST).check.elf $@.check
	@if ! cmp -s $@.tmp $@.check; then \
		echo "$(GUEST): error: the image differs when linked at $(LINK_BASE) and $(CHECK_BASE);" \
			"it is not position independent. Absolute relocations:" >&2; \
		$(ABSOLUTE_RELOCS) >&2; \
		rm -f $@.tmp $@.check; exit 1; \
	fi
	@rm -f $@.check
	@mv $@.tmp $@

clean:
	rm -rf $(OUT)

-include $(OBJS:.o=.d)
