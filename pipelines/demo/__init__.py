"""The demo: a fictional B2B SaaS marketing department (云帆科技) with its exports and OKR files.

``okrfunnel demo`` writes these files and loads them. The modules are named by what they hold:
``world`` simulates the company, ``measures`` reads the warehouse's numbers off it, ``exports``
writes its tools' exports and ``okrs`` its OKR files.
"""

from pipelines.demo.exports import DemoFile, write_exports
from pipelines.demo.okrs import write_okr_files
from pipelines.demo.world import ADOPTION_BASELINE, DEMO_CYCLES, DEMO_TODAY

__all__ = ["ADOPTION_BASELINE", "DEMO_CYCLES", "DEMO_TODAY", "DemoFile", "write_exports", "write_okr_files"]
