build-clang/obj/lib/queue.o: lib/queue.c lib/conf.h lib/fmt.h lib/queue.h \
  lib/addr.h

lib/conf.h:

lib/fmt.h:

lib/queue.h:

lib/addr.h:
