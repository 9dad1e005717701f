"""The candidate's job: a quiz session in the terminal's service (`session`), the local history of attempts,
the review schedule, and progress over time.
"""
