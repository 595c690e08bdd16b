// SPDX-License-Identifier: MIT
/* The host's settings through QEMU's fw_cfg (platform/fw_cfg.c). */
#include "bulkhead/platform.h"
#include "fake.h"
#include "runner.h"

TEST(fw_cfg_boot_menu_on_says_terminal)
{
	fake.fw_cfg_boot_menu = 1;
	CHECK(bh_host_console_is_terminal());
	CHECK(!fake.fw_cfg_stray);
}

TEST(fw_cfg_without_boot_menu_says_log)
{
	CHECK(!bh_host_console_is_terminal());
	CHECK(!fake.fw_cfg_stray);
}

/* The item is 16 bits little-endian: 1, and nothing else, is menu=on. */
TEST(fw_cfg_boot_menu_reads_both_bytes_little_endian)
{
	fake.fw_cfg_boot_menu = 0x0100;
	CHECK(!bh_host_console_is_terminal());
	fake.fw_cfg_boot_menu = 0x0101;
	CHECK(!bh_host_console_is_terminal());
}

TEST(fw_cfg_device_that_is_not_qemus_says_log)
{
	fake.fw_cfg_signature = "XEMU";
	fake.fw_cfg_boot_menu = 1;
	CHECK(!bh_host_console_is_terminal());
	fake.fw_cfg_signature = "QEM";
	CHECK(!bh_host_console_is_terminal());
}
