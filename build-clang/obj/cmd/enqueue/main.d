build-clang/obj/cmd/enqueue/main.o: cmd/enqueue/main.c lib/addr.h \
  lib/conf.h lib/die.h lib/log.h lib/queue.h

lib/addr.h:

lib/conf.h:

lib/die.h:

lib/log.h:

lib/queue.h:
