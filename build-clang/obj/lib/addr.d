build-clang/obj/lib/addr.o: lib/addr.c lib/addr.h

lib/addr.h:
