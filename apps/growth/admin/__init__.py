# Hypothesis bank, acquisition links and spends; referrals; CustDev (interviews, segments, surveys).
from apps.growth.admin import custdev, hypotheses, referrals  # noqa: F401
