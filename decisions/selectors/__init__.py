"""Reads for decision pages: decisions (lists, board, ladder, power sharing), decision_page
(a decision's staff page), my_votes (a participant's own votes)."""
