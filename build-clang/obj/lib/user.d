build-clang/obj/lib/user.o: lib/user.c lib/fmt.h lib/user.h lib/addr.h \
  lib/conf.h

lib/fmt.h:

lib/user.h:

lib/addr.h:

lib/conf.h:
