"""Every SQL statement the rest of collablens runs, in one module per feature.

Ingest, coding, analysis, the register, jobs, accounts and the browser survey call these
functions instead of writing SQL, so a change of schema is made (and checked by the
tests) here alone. Functions take the `Connection` of the caller's transaction, so that
an import or a coding batch commits as one; the caller opens it (`Store.begin`).

Import the feature module you need: `from ..store.queries import coding as q`, or
`from ..store.queries.coding import write_model_codes`.

- `scope`: scoping a statement to one collaboration (and wave)
- `waves`: collaborations and waves
- `surveys`: survey imports (the file, respondents, comments)
- `coding`: segments, codes, the review queue
- `analysis`: what scoring, quotes and provenance read
- `interviews`: participants, transcripts, turns, coders' codes
- `register`: the register, agreements, contributions, benefits and lists
- `jobs`: the background job queue
- `accounts`: users and failed sign-ins
- `online`: survey links and responses given in the browser
- `claims`: who holds which sentence on the review page
"""

from __future__ import annotations
