"""Badges as code: export an org's badge configuration to a file, plan it against another org or
cluster, and apply the plan there.

Streamlit-free (the console page and the command line both use it). Every call goes through the
`BadgesClient`, so each one lands in that client's request log; every refusal the plan predicts comes
from `lib.domain`, the rules the sandbox enforces and the editor checks.
"""
