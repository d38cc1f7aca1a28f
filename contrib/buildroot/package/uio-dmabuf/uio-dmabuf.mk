################################################################################
#
# uio-dmabuf
#
################################################################################

UIO_DMABUF_VERSION = 1.1.0
# Where you keep the repository (UIO_DMABUF_OVERRIDE_SRCDIR in local.mk
# builds a working copy instead).
UIO_DMABUF_SITE = /srv/git/uio-dmabuf
UIO_DMABUF_SITE_METHOD = local
UIO_DMABUF_LICENSE = GPL-2.0 (module), GPL-2.0+ (uio-dmabuf CLI), LGPL-2.1+ (libuiodmabuf)
UIO_DMABUF_LICENSE_FILES = COPYING LICENSES/GPL-2.0 LICENSES/LGPL-2.1
UIO_DMABUF_INSTALL_STAGING = YES
# libdrm: its DRM UAPI header only (nothing links it).
UIO_DMABUF_DEPENDENCIES = libdrm host-pkgconf

# The module: kernel-module builds kernel/ against the configured kernel.
UIO_DMABUF_MODULE_SUBDIRS = kernel

# User space: the target's CC, CFLAGS, LDFLAGS and pkg-config; WERROR stays 0.
UIO_DMABUF_USERSPACE_MAKE = $(TARGET_MAKE_ENV) $(MAKE) $(TARGET_CONFIGURE_OPTS) \
	-C $(@D)/userspace O=$(@D)/build/userspace PREFIX=/usr

define UIO_DMABUF_BUILD_CMDS
	$(UIO_DMABUF_USERSPACE_MAKE) all
endef

define UIO_DMABUF_INSTALL_STAGING_CMDS
	$(UIO_DMABUF_USERSPACE_MAKE) DESTDIR=$(STAGING_DIR) install
endef

define UIO_DMABUF_INSTALL_TARGET_CMDS
	$(UIO_DMABUF_USERSPACE_MAKE) DESTDIR=$(TARGET_DIR) install
endef

$(eval $(kernel-module))
$(eval $(generic-package))
