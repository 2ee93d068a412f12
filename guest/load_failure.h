/* Why a payload could not be loaded, and which kestrel.cfg line it is about
 * (the kernel, initrd or module file, or the command line), so the message
 * can name that line as the loader does for a missing file. */
#ifndef KESTREL_GUEST_LOAD_FAILURE_H
#define KESTREL_GUEST_LOAD_FAILURE_H

enum load_subject {
    LOAD_ABOUT_NONE,       /* no one line (e.g. too little memory for boot data) */
    LOAD_ABOUT_KERNEL,
    LOAD_ABOUT_INITRD,
    LOAD_ABOUT_MODULE,     /* modules[module] */
    LOAD_ABOUT_CMDLINE,
    LOAD_ABOUT_BUILTIN_IMAGE,  /* a built-in guest's image inside kestrel.elf */
};

struct load_failure {
    const char       *why;     /* one line */
    enum load_subject about;
    unsigned          module;
};

#endif
