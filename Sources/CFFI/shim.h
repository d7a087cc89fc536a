// libffi (Debian: libffi-dev), for calling C functions whose signature is known only at run time.
#include <ffi.h>
