// SPDX-License-Identifier: MIT
/*
 * QEMU's fw_cfg, memory-mapped (docs/specs/fw_cfg.txt in QEMU): the board's
 * host-settings device, through which the host that started the machine
 * says how it connects the console.
 *
 * It says so with the boot-menu item: `-boot menu=on` asks the firmware,
 * which Bulkhead is, for an interactive boot, and Bulkhead takes that to
 * mean its console is a terminal. (A file of our own, `-fw_cfg
 * name=opt/...`, would be plainer, but QEMU 7.2's riscv virt creates its
 * fw_cfg after the command line's files are added: "fw_cfg device not
 * available".)
 *
 * A write of an item's key to the 16-bit selector register (big-endian)
 * picks the item; the data register then gives the item's bytes in order,
 * one per read. Item 0 is the signature "QEMU"; item 0x0e the boot menu,
 * 16 bits little-endian, 1 for menu=on.
 */
#include "bulkhead/mmio.h"
#include "bulkhead/platform.h"
#include "bulkhead/tables.h"

#define FW_CFG_DATA		0x0
#define FW_CFG_SELECTOR		0x8
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_BOOT_MENU	0x000e

static void select_item(uint16_t key)
{
	/* The store is little-endian; the register reads its bytes big-endian. */
	bh_mmio_write16(bh_board.host_settings_base + FW_CFG_SELECTOR,
			(uint16_t)(key << 8 | key >> 8));
}

static uint8_t read_byte(void)
{
	return bh_mmio_read8(bh_board.host_settings_base + FW_CFG_DATA);
}

static bool is_qemu_fw_cfg(void)
{
	static const char signature[] = "QEMU";
	unsigned int i;

	select_item(FW_CFG_SIGNATURE);
	for (i = 0; i < sizeof(signature) - 1; i++) {
		if (read_byte() != (uint8_t)signature[i])
			return false;
	}
	return true;
}

bool bh_host_console_is_terminal(void)
{
	uint8_t low, high;

	if (!bh_board.host_settings_base || !is_qemu_fw_cfg())
		return false;
	select_item(FW_CFG_BOOT_MENU);
	low = read_byte();
	high = read_byte();
	return low == 1 && high == 0;
}
