"""`digestsite build`: one build at a time per output, the cache's up-to-date check, then the pipeline.

`serve` and `deploy` call `build()` too, each with its own cache. The pipeline itself, read top to
bottom, is `commands/pipeline.py::build_site`. Speed-ups sit behind the `cache` argument (see
cache/build_cache.py); with the default `NoCache` a build is a plain build from scratch, and every
cache gives the same bytes.
"""

from __future__ import annotations

from digestsite.cache.build_cache import NoCache
from digestsite.commands.build_options import BuildOptions, BuildResult, Progress, StageClock
from digestsite.config import Config
from digestsite.output.journal import roll_back_interrupted
from digestsite.output.lock import Busy, OutputLock, wait_quietly
from digestsite.output.staging import remove_leftovers


def build(
    config: Config,
    *,
    strict: bool = False,
    options: BuildOptions | None = None,
    cache: NoCache | None = None,
    progress: Progress | None = None,
    busy: Busy | None = wait_quietly,
) -> BuildResult:
    """Build the whole site; on any failure the previous output stays exactly as it was.

    One build at a time writes an output folder: a second one calls `busy` and waits, or with `busy`
    None fails at once.
    """
    options = options or BuildOptions()
    cache = cache or NoCache()
    clock = StageClock(progress)
    with OutputLock(config.output_dir, busy):
        roll_back_interrupted(config.output_dir)  # an update a killed build left half-done
        remove_leftovers(config.output_dir)  # and the staging folders of builds that died
        reused = cache.reusable(config, options, strict)
        if reused is not None:
            return BuildResult(config.output_dir, 0, 0, 0, 0, clock.elapsed(), tuple(reused), up_to_date=True)
        # The stages load Jinja, markdown-it and the digest parser, a fifth of a second: only now, once
        # the cache has said the output does not stand as it is, so an unchanged site answers at once.
        from digestsite.commands.pipeline import build_site

        return build_site(config, strict, options, cache, clock)
