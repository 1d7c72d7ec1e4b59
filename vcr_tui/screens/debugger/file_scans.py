"""The file screen's whole-recording scans: text search, and the survey of error frames and bad lines.

Both run in workers over raw lines and report in batches; the screen keeps the sorted results
and jumps between them (``n``/``N``, ``]``/``[``). Kept apart from the screen's layout and
stepping so each file says one thing.
"""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from recorder import Problem
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.frame_view import SearchState, add_sorted, merged_problems, neighbour
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.scanning import TextMatcher, scan
from vcr_tui.messages import SearchProgress, SurveyProgress
from vcr_tui.screens.debugger.screen_parts import PartBase


class BackgroundScans(PartBase):
    """Search and survey for ``FileScreen`` (a mixin: it uses the screen's store and panes)."""

    # -- keys: search ------------------------------------------------------------------------

    def action_search(self) -> None:
        previous = self.search_state.query if self.search_state else ""
        self.prompt_bar.open("search", "/", previous, placeholder="text in node names and states")

    def start_search(self, query: str) -> None:
        """Search every frame for ``query`` in the background, starting at the cursor."""
        if self.store is None or not self.store.complete:
            self.view.pending_search = query
            self.say("Still indexing the file: the search starts when it is done.")
            return
        self.view.search_generation += 1
        self.search_state = SearchState(query, self.view.search_generation, total=len(self.store))
        self.frame_list.matches = frozenset()
        self.state_tree.mark_query(query)
        self.diff_view.mark_query(query)
        self.refresh_status()
        self._search_worker(query, self.view.search_generation, self.frame_list.cursor)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_worker(self, query: str, generation: int, start: int) -> None:
        store = self.store
        if not isinstance(store, FrameStore):
            return
        worker = get_current_worker()
        matcher = TextMatcher(query)
        total = len(store)

        def report(found: list[int], scanned: int, done: bool) -> None:
            self.post_message(SearchProgress(generation, query, found, scanned, total, done))

        scan(
            total, start, store.raw, lambda raw, _index: matcher.matches_line(raw), report, lambda: worker.is_cancelled
        )

    def on_search_progress(self, message: SearchProgress) -> None:
        search = self.search_state
        if search is None or message.generation != search.generation:
            return
        add_sorted(search.matches, message.matches)
        search.scanned, search.total, search.done = message.scanned, message.total, message.done
        self.frame_list.matches = frozenset(search.matches)
        if not search.jumped and search.matches:
            search.jumped = True
            self._jump_to_match(forward=True, include_current=True)
        if search.done and not search.matches:
            self.say(f"No frame matches {shorten(clean(search.query), 40)!r}", severity="warning")
        self.refresh_status()

    def action_next_match(self) -> None:
        self._jump_to_match(forward=True)

    def action_previous_match(self) -> None:
        self._jump_to_match(forward=False)

    def _jump_to_match(self, *, forward: bool, include_current: bool = False) -> None:
        search = self.search_state
        if search is None:
            self.say("No search yet: press / to search.")
            return
        target = neighbour(search.matches, self.frame_list.cursor, forward, include_current)
        if target is None:
            state = "searching…" if not search.done else "no matches"
            self.say(f"/{shorten(clean(search.query), 30)}: {state}")
            return
        self.frame_list.move_to(target)

    # -- keys: errors ------------------------------------------------------------------------

    def _start_survey(self, start: int = 0) -> None:
        """Parse frames ``start`` onwards once, in the background: error frames and problems."""
        if not isinstance(self.store, FrameStore):
            return
        self.view.surveys_running += 1
        self._survey_worker(self.store, start, len(self.store), self.view.survey_generation)

    @work(thread=True, group="survey", exit_on_error=False)
    def _survey_worker(self, store: FrameStore, start: int, stop: int, generation: int) -> None:
        worker = get_current_worker()
        indices = range(start, stop)
        problems: list[Problem] = []
        from recorder.golden import CostLedger  # here, in the worker: not on the way to the first screen

        ledger = CostLedger()  # counted from the frames this pass parses anyway

        def test(raw: bytes, position: int) -> bool:
            index = indices[position]
            # what a visit parsed is not parsed again; the ledger is counted from the same frames
            is_error, problem = store.survey(index, raw, seen=ledger.add)
            if problem is not None:
                problems.append(problem)
            return is_error

        def report(found: list[int], scanned: int, done: bool) -> None:
            batch = list(problems)
            problems.clear()
            errors = [indices[position] for position in found]
            counted = ledger if done else None
            self.post_message(SurveyProgress(generation, errors, batch, scanned, len(indices), done, counted))

        scan(len(indices), 0, lambda position: store.raw(indices[position]), test, report, lambda: worker.is_cancelled)

    def on_survey_progress(self, message: SurveyProgress) -> None:
        if message.generation != self.view.survey_generation:
            return
        add_sorted(self.errors, message.errors)
        if message.problems:
            self.problems, _fresh = merged_problems(self.problems, message.problems)
            self.refresh_status()
        if message.done:
            self.view.surveys_running -= 1
            if message.ledger is not None:
                self.count_in_ledger(message.ledger)
                self.refresh_status()
            if self.errors:
                self.frame_list.border_subtitle = format_count(len(self.errors), "error")
            self._after_survey()

    def _after_survey(self) -> None:
        """Warn about problems the survey found (once), or say how many more there are."""
        if not self.view.errors_done or len(self.problems) <= self.view.problems_announced:
            return
        if not self.view.problems_warned:
            self.warn_about_problems()
        else:
            more = len(self.problems) - self.view.problems_announced
            self.say(f"{more:,} more lines could not be read as written (w lists them)", severity="warning")
        self.view.problems_announced = len(self.problems)

    def action_next_error(self) -> None:
        self._jump_to_error(forward=True)

    def action_previous_error(self) -> None:
        self._jump_to_error(forward=False)

    def _jump_to_error(self, *, forward: bool) -> None:
        target = neighbour(self.errors, self.frame_list.cursor, forward, wrap=False)
        if target is not None:
            self.frame_list.move_to(target)
        elif not self.view.errors_done:
            self.say("Still looking for error frames…")
        else:
            where = "after" if forward else "before"
            self.say(f"No error frame {where} this one.")
