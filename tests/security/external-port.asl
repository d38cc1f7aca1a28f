/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * An SSDT for QEMU's q35 (scripts/run-qemu.sh --external): marks the PCIe
 * root port at 00:10.0, which QEMU's DSDT names S80 (its devfn, 0x80), as
 * facing outside the machine, as firmware marks a Thunderbolt or USB4 port.
 * Linux then treats what is behind it as removable and untrusted
 * (pci_acpi_set_external_facing(), arch_pci_dev_is_removable()).
 */
DefinitionBlock ("", "SSDT", 2, "UDBTST", "EXTPORT", 1)
{
    External (\_SB.PCI0.S80, DeviceObj)
    Scope (\_SB.PCI0.S80)
    {
        Name (_DSD, Package () {
            ToUUID ("efcc06cc-73ac-4bc3-bff0-76143807c389"),
            Package () {
                Package () { "ExternalFacingPort", 1 },
                Package () { "UID", 0 },
            }
        })
    }
}
