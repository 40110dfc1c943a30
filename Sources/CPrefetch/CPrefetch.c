// The target is header-only (see include/CPrefetch.h); SwiftPM needs one source file.
#include "CPrefetch.h"
