build-clang/obj/lib/die.o: lib/die.c lib/die.h

lib/die.h:
