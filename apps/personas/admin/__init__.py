from apps.personas.admin.module import ModuleAdmin
from apps.personas.admin.persona import PersonaAdmin
from apps.personas.admin.scenario import ScenarioAdmin

__all__ = ["ModuleAdmin", "PersonaAdmin", "ScenarioAdmin"]
