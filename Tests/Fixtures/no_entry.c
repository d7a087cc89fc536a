/* A valid shared object that does not export trainer_plugin_entry. */
int trainer_fixture_no_entry(void) { return 42; }
