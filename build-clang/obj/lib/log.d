build-clang/obj/lib/log.o: lib/log.c lib/die.h lib/log.h

lib/die.h:

lib/log.h:
