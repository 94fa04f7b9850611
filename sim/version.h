/*
 * version.h - the program's version, printed by --version and written in
 * every results file's "run" object.
 */
#ifndef VERSION_H
#define VERSION_H

#define MEMSIM_VERSION "0.1.0"

#endif /* VERSION_H */
