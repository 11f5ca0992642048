build-clang/obj/lib/conf.o: lib/conf.c lib/conf.h lib/fmt.h

lib/conf.h:

lib/fmt.h:
