SUMMARY = "uio_dmabuf: DMA addresses of imported dma-bufs for UIO devices (kernel module)"
DESCRIPTION = "A UIO driver that imports dma-bufs, pins and maps them for the \
device, and reports the DMA address of each segment to user space."
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://LICENSES/GPL-2.0;md5=b234ee4d69f5fce4486a80fdaf4a4263"

UIO_DMABUF_URI ??= "git:///srv/git/uio-dmabuf;protocol=file;branch=main"
SRC_URI = "${UIO_DMABUF_URI}"
SRCREV ??= "${AUTOREV}"
PV = "1.1.0+git"
S = "${WORKDIR}/git"

inherit module

# module.bbclass's compile runs `make KERNEL_SRC=... O=<kernel build dir>
# CC=<kernel compiler>` with MAKE_TARGETS empty: the Makefile builds the
# module alone then. Its install runs `make MODLIB=... modules_install`.
RPROVIDES:${PN} += "kernel-module-uio-dmabuf"
