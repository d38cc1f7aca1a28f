# SPDX-License-Identifier: GPL-2.0
# kunit.py --qemu_config for x86_64 under TCG: the kernel's own x86_64.py boots
# with -bios qboot.rom, which prints nothing under TCG; QEMU's default SeaBIOS
# works. Loaded by kunit.py as if it sat in tools/testing/kunit/qemu_configs/.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=[])
