#!/usr/bin/env python3
"""Add to a device tree of QEMU's virt machine (dtc source) a range of RAM
that firmware keeps identity-mapped for one PCI device behind the IOMMU, as an
ACPI RMRR would be on x86: a reserved-memory region with iommu-addresses, named
by the memory-region of the device's node under its root port's node.

usage: direct-dtb.py IN.dts OUT.dts PORT_DEVFN
  PORT_DEVFN: the root port on bus 0, as DEVICE,FUNCTION (for example 3,0);
  the device is function 0 of the port's bus. The range: 64 KiB at
  0x7ff00000, inside virt's RAM (0x40000000 up).
"""
import sys

BASE, SIZE = 0x7FF00000, 0x10000


def main():
    src, dst, port = sys.argv[1:4]
    dev, fn = (int(x, 0) for x in port.split(","))
    s = open(src).read()
    node = f"""
		pci@{dev},{fn} {{
			reg = <{(dev << 11) | (fn << 8):#x} 0x00 0x00 0x00 0x00>;
			#address-cells = <0x03>;
			#size-cells = <0x02>;
			device_type = "pci";
			ranges;

			direct_dev: pci@0,0 {{
				reg = <0x00 0x00 0x00 0x00 0x00>;
				memory-region = <&direct>;
			}};
		}};"""
    region = f"""	reserved-memory {{
		#address-cells = <0x02>;
		#size-cells = <0x02>;
		ranges;

		direct: direct@{BASE:x} {{
			reg = <0x00 {BASE:#x} 0x00 {SIZE:#x}>;
			iommu-addresses = <&direct_dev 0x00 0x00 {BASE:#x} 0x00 {SIZE:#x}>;
		}};
	}};

"""
    pcie = s.index("\tpcie@10000000 {")
    end = s.index("\n\t};", pcie)
    s = s[:end] + node + s[end:]
    mem = s.index("\tmemory@40000000 {")
    open(dst, "w").write(s[:mem] + region + s[mem:])


if __name__ == "__main__":
    main()
