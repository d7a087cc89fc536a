// Compile-time checks of the frozen layouts in trainer_plugin.h: a change that breaks one
// of these breaks every plugin already built, so it needs a new ABI major.
#include "trainer_plugin.h"

_Static_assert(sizeof(trainer_log_item_t) == 16, "trainer_log_item_t is frozen");
_Static_assert(sizeof(trainer_value_t) == 32, "trainer_value_t is frozen");
_Static_assert(offsetof(trainer_plugin_descriptor_t, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(trainer_host_t, struct_size) == 0, "struct_size first");
_Static_assert(offsetof(trainer_hooks_t, struct_size) == 0, "struct_size first");
