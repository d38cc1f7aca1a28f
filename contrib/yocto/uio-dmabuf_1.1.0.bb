SUMMARY = "uio_dmabuf: libuiodmabuf and the uio-dmabuf CLI"
DESCRIPTION = "The user-space side of uio_dmabuf: a C library that imports \
dma-bufs into a UIO device and reads their DMA segments, and a CLI that binds \
devices, allocates buffers and dumps segment addresses."
LICENSE = "LGPL-2.1-or-later & GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSES/LGPL-2.1;md5=4fbd65380cdd255951079008b364516c \
                    file://LICENSES/GPL-2.0;md5=b234ee4d69f5fce4486a80fdaf4a4263"

UIO_DMABUF_URI ??= "git:///srv/git/uio-dmabuf;protocol=file;branch=main"
SRC_URI = "${UIO_DMABUF_URI}"
SRCREV ??= "${AUTOREV}"
PV = "1.1.0+git"
S = "${WORKDIR}/git"

# libdrm: its DRM UAPI header only (nothing links it).
DEPENDS = "libdrm"
inherit pkgconfig

# The environment's CC, CFLAGS, LDFLAGS and pkg-config (the target
# sysroot's) reach user space's Makefile; WERROR stays 0. The output goes to
# a directory of its own under B (B is S unless the recipe separates them).
EXTRA_OEMAKE = "-C userspace O=${B}/build PREFIX=${prefix} LIBDIR=${libdir} \
                BINDIR=${bindir} INCLUDEDIR=${includedir} MANDIR=${mandir} \
                UDEVRULESDIR=${nonarch_base_libdir}/udev/rules.d"

do_compile() {
	oe_runmake all
}

do_install() {
	oe_runmake install DESTDIR=${D}
}

FILES:${PN} += "${nonarch_base_libdir}/udev/rules.d ${datadir}/bash-completion"
RRECOMMENDS:${PN} += "kernel-module-uio-dmabuf"
