build-clang/obj/lib/buf.o: lib/buf.c lib/buf.h

lib/buf.h:
