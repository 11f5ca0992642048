build-clang/obj/lib/bio.o: lib/bio.c lib/bio.h

lib/bio.h:
