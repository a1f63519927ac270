"""The demo shop's category names in its other languages: the rows of the demo's categories.csv.

Written the way parts shops in Ukraine, Russia and Spain name these sections.
"""

from __future__ import annotations

# path -> (Ukrainian, Russian, Spanish)
CATEGORY_NAMES: dict[str, tuple[str, str, str]] = {
    "Brakes": ("Гальмівна система", "Тормозная система", "Frenos"),
    "Brakes/Brake pads": ("Гальмівні колодки", "Тормозные колодки", "Pastillas de freno"),
    "Brakes/Brake discs": ("Гальмівні диски", "Тормозные диски", "Discos de freno"),
    "Filters": ("Фільтри", "Фильтры", "Filtros"),
    "Filters/Oil filters": ("Масляні фільтри", "Масляные фильтры", "Filtros de aceite"),
    "Filters/Air filters": ("Повітряні фільтри", "Воздушные фильтры", "Filtros de aire"),
    "Filters/Cabin filters": ("Фільтри салону", "Салонные фильтры", "Filtros de habitáculo"),
    "Filters/Fuel filters": ("Паливні фільтри", "Топливные фильтры", "Filtros de combustible"),
    "Ignition": ("Система запалювання", "Система зажигания", "Encendido"),
    "Ignition/Spark plugs": ("Свічки запалювання", "Свечи зажигания", "Bujías de encendido"),
    "Ignition/Glow plugs": ("Свічки розжарювання", "Свечи накаливания", "Bujías de precalentamiento"),
    "Ignition/Ignition coils": ("Котушки запалювання", "Катушки зажигания", "Bobinas de encendido"),
    "Belts and chains": ("Ремені та ланцюги", "Ремни и цепи", "Correas y cadenas"),
    "Belts and chains/Timing belt kits": ("Комплекти ГРМ", "Комплекты ГРМ", "Kits de distribución"),
    "Belts and chains/V-ribbed belts": ("Поліклинові ремені", "Поликлиновые ремни", "Correas poli-V"),
    "Cooling": ("Система охолодження", "Система охлаждения", "Refrigeración"),
    "Cooling/Water pumps": ("Водяні помпи", "Водяные насосы", "Bombas de agua"),
    "Suspension": ("Підвіска", "Подвеска", "Suspensión"),
    "Suspension/Shock absorbers": ("Амортизатори", "Амортизаторы", "Amortiguadores"),
    "Suspension/Stabiliser links": (
        "Стійки стабілізатора",
        "Стойки стабилизатора",
        "Bieletas de barra estabilizadora",
    ),
    "Suspension/Control arms": ("Важелі підвіски", "Рычаги подвески", "Brazos de suspensión"),
    "Suspension/Wheel bearings": ("Маточинні підшипники", "Ступичные подшипники", "Rodamientos de rueda"),
    "Clutch": ("Зчеплення", "Сцепление", "Embrague"),
    "Clutch/Clutch kits": ("Комплекти зчеплення", "Комплекты сцепления", "Kits de embrague"),
    "Wipers": ("Склоочисники", "Стеклоочистители", "Limpiaparabrisas"),
    "Wipers/Wiper blades": ("Щітки склоочисника", "Щётки стеклоочистителя", "Escobillas limpiaparabrisas"),
}
