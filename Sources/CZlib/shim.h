// zlib (Debian: zlib1g-dev), for reading .gz data files.
#include <zlib.h>
