#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Print, one per line, the shell commands that a recipe of contrib/ makes
its build system run, with the build system's variables given as NAME=VALUE
arguments (check-cross.sh runs them for arm64).

  recipe-commands.py yocto-module RECIPE.bb NAME=VALUE...
      module.bbclass's do_compile and do_install `oe_runmake` lines, with
      the recipe's EXTRA_OEMAKE and MAKE_TARGETS (empty unless it sets them)
  recipe-commands.py yocto RECIPE.bb NAME=VALUE...
      the oe_runmake lines of the recipe's own do_compile and do_install
  recipe-commands.py buildroot PACKAGE.mk NAME=VALUE...
      kernel-module's build and install of each of _MODULE_SUBDIRS, then the
      package's BUILD_CMDS and INSTALL_TARGET_CMDS
"""
import re
import sys

# module.bbclass (openembedded-core, meta/classes-recipe/module.bbclass):
# what its do_compile and do_install run, and its own EXTRA_OEMAKE.
MODULE_COMPILE = ('oe_runmake KERNEL_PATH=${STAGING_KERNEL_DIR} KERNEL_VERSION=${KERNEL_VERSION} '
                  'CC="${KERNEL_CC}" LD="${KERNEL_LD}" AR="${KERNEL_AR}" OBJCOPY="${KERNEL_OBJCOPY}" '
                  'STRIP="${KERNEL_STRIP}" O=${STAGING_KERNEL_BUILDDIR} '
                  'KBUILD_EXTRA_SYMBOLS="${KBUILD_EXTRA_SYMBOLS}" ${MAKE_TARGETS}')
MODULE_INSTALL = ('oe_runmake DEPMOD=echo MODLIB="${D}${nonarch_base_libdir}/modules/${KERNEL_VERSION}" '
                  'INSTALL_FW_PATH="${D}${nonarch_base_libdir}/firmware" CC="${KERNEL_CC}" '
                  'LD="${KERNEL_LD}" OBJCOPY="${KERNEL_OBJCOPY}" STRIP="${KERNEL_STRIP}" '
                  'O=${STAGING_KERNEL_BUILDDIR} KBUILD_EXTRA_SYMBOLS="${KBUILD_EXTRA_SYMBOLS}" '
                  '${MODULES_INSTALL_TARGET}')
MODULE_EXTRA_OEMAKE = 'KERNEL_SRC=${STAGING_KERNEL_DIR}'

# Buildroot's kernel-module infrastructure (package/pkg-kernel-module.mk).
KMOD_BUILD = ('$(LINUX_MAKE_ENV) $(MAKE) $(LINUX_MAKE_FLAGS) $(PKG_MODULE_MAKE_OPTS) '
              '-C $(LINUX_DIR) PWD=$(@D)/$(d) M=$(@D)/$(d) modules')
KMOD_INSTALL = ('$(LINUX_MAKE_ENV) $(MAKE) $(LINUX_MAKE_FLAGS) $(PKG_MODULE_MAKE_OPTS) '
                '-C $(LINUX_DIR) PWD=$(@D)/$(d) M=$(@D)/$(d) modules_install')


def bb_vars(text):
    """name -> value of the recipe's plain assignments (=, ?=, ??=, :=)."""
    text = text.replace('\\\n', ' ')
    out = {}
    for m in re.finditer(r'^([A-Za-z_][A-Za-z0-9_:-]*)\s*(\?\?=|\?=|:=|=)\s*"(.*)"\s*$', text, re.M):
        name, op, value = m.groups()
        if op in ('?=', '??=') and name in out:
            continue
        out[name] = ' '.join(value.split())
    return out


def bb_function(text, name):
    m = re.search(r'^%s\(\)\s*\{\n(.*?)^\}' % re.escape(name), text, re.M | re.S)
    if not m:
        return []
    return [' '.join(line.split()) for line in m.group(1).replace('\\\n', ' ').splitlines() if line.strip()]


def expand(s, env, pattern):
    for _ in range(10):
        new = re.sub(pattern, lambda m: env.get(m.group(1), ''), s)
        if new == s:
            break
        s = new
    return ' '.join(s.split())


def mk_vars(text, pkg):
    text = text.replace('\\\n', ' ')
    out = {}
    for m in re.finditer(r'^([A-Z0-9_]+)\s*(\+?=)\s*(.*)$', text, re.M):
        name, op, value = m.groups()
        out[name] = (out.get(name, '') + ' ' + value).strip() if op == '+=' else value.strip()
    for m in re.finditer(r'^define ([A-Z0-9_]+)\n(.*?)^endef', text, re.M | re.S):
        out[m.group(1)] = m.group(2).strip()
    return out


def main():
    kind, path, *assigns = sys.argv[1:]
    env = dict(a.split('=', 1) for a in assigns)
    text = open(path).read()
    if kind in ('yocto-module', 'yocto'):
        v = bb_vars(text)
        env.update({k: v[k] for k in v if k not in env})
        extra = v.get('EXTRA_OEMAKE', '')
        if kind == 'yocto-module':
            extra = (extra + ' ' + MODULE_EXTRA_OEMAKE).strip()
            env.setdefault('MAKE_TARGETS', v.get('MAKE_TARGETS', ''))
            env.setdefault('MODULES_INSTALL_TARGET', v.get('MODULES_INSTALL_TARGET', 'modules_install'))
            lines = [MODULE_COMPILE, MODULE_INSTALL]
        else:
            lines = bb_function(text, 'do_compile') + bb_function(text, 'do_install')
        runmake = 'make ' + extra
        pattern = r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}'
        for line in lines:
            if not line.startswith('oe_runmake'):
                sys.exit('recipe-commands: not an oe_runmake line: ' + line)
            print(expand(runmake + line[len('oe_runmake'):], env, pattern))
    elif kind == 'buildroot':
        pkg = 'UIO_DMABUF'
        v = mk_vars(text, pkg)
        for k in v:
            env.setdefault(k, v[k])
        env['PKG_MODULE_MAKE_OPTS'] = v.get(pkg + '_MODULE_MAKE_OPTS', '')
        pattern = r'\$\(([A-Za-z_@][A-Za-z0-9_]*)\)'
        subdirs = v.get(pkg + '_MODULE_SUBDIRS', '.').split()
        for cmd in (KMOD_BUILD, KMOD_INSTALL):
            for d in subdirs:
                print(expand(cmd, dict(env, d=d), pattern))
        for step in ('BUILD_CMDS', 'INSTALL_TARGET_CMDS'):
            for line in v.get(pkg + '_' + step, '').splitlines():
                print(expand(line, env, pattern))
    else:
        sys.exit('usage: recipe-commands.py yocto-module|yocto|buildroot FILE NAME=VALUE...')


if __name__ == '__main__':
    main()
