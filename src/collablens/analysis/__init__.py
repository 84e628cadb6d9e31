"""Every number and every decision about what may be shown: statistics, scores, disclosure."""
