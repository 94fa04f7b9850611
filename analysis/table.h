/*
 * table.h - `memsim table RESULTS.json --vms|--hosts`: one CSV row per VM
 * or per host of a results file, with the file's own numbers.
 */
#ifndef TABLE_H
#define TABLE_H

/* The table command; argv excludes "memsim table".  Returns the exit code. */
int table_main(int argc, char **argv);

#endif /* TABLE_H */
