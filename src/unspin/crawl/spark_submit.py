"""Application file for ``spark-submit``: runs the ``unspin`` command line (absolute imports only).

Usage (see ``docs/scan.md``)::

    APP=$(python -c 'import unspin.crawl.spark_submit as m; print(m.__file__)')
    spark-submit --master spark://head:7077 "$APP" \\
        scan /shared/crawl --index /shared/index --out /shared/results.parquet --engine spark
"""

from __future__ import annotations

import sys

from unspin.cli import main

if __name__ == "__main__":
    sys.exit(main())
