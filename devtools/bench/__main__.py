import sys

from devtools.bench.run import main

sys.exit(main())
