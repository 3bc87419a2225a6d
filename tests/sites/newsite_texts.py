"""Article texts of the synthetic news site (original writing for globewire's tests; events are fictional).

Stories:
  ``ocean-treaty``    delegates in Lisbon agree the first high-seas protected zones (all five outlets;
                      the British and the US outlet run the same wire copy word for word)
  ``rhine-low-water`` record-low Rhine levels slow barge traffic (GB, DE, ES, JP: no US outlet covers it)
  local stories       one or two per outlet, covered nowhere else
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    story: str
    title: str
    description: str
    author: str
    section: str
    paragraphs: tuple[str, ...]
    hours_ago: float


WIRE_OCEAN = Text(
    story="ocean-treaty",
    title="Nations agree first protected zones on the high seas after all-night talks in Lisbon",
    description="Delegates from 61 countries backed three marine reserves beyond national waters.",
    author="Meridian Wire staff",
    section="world",
    hours_ago=7,
    paragraphs=(
        "LISBON (Meridian Wire) — Delegates from 61 countries agreed early on Thursday to create the first three "
        "protected zones on the high seas, ending talks that ran through the night in the Portuguese capital.",
        "The reserves cover parts of the Sargasso Sea, a chain of seamounts in the south-east Pacific and a stretch "
        "of the Indian Ocean known for its migrating whale sharks. Together they are roughly the size of France and "
        "Spain combined. Industrial fishing and seabed mining will be banned inside them from next year.",
        '"For the first time, the ocean that belongs to no one is being looked after by everyone," said the '
        "conference chair, Portuguese diplomat Inês Valadares, as tired negotiators applauded shortly after dawn.",
        "Fishing nations had resisted the Pacific zone until the final hours. A compromise allows existing licences "
        "to run until their expiry dates, but no new ones will be granted. Scientists will review the borders of "
        "each reserve every five years.",
        "Environmental groups welcomed the deal but warned that patrol ships and satellite monitoring had not yet "
        "been funded. A finance committee is due to meet in Nairobi in the autumn.",
        "The agreement still needs to be ratified by at least 40 national parliaments before it takes effect.",
    ),
)

TEXTS: dict[str, list[Text]] = {
    "northgate-herald": [
        WIRE_OCEAN,
        Text(
            story="rhine-low-water",
            title="Rhine falls to record low, leaving barges half empty and factories waiting",
            description="Shipping on Europe's busiest river is slowing as water levels at Kaub drop below 35 cm.",
            author="Helen Marsh",
            section="business",
            hours_ago=20,
            paragraphs=(
                "Barge operators on the Rhine are loading their vessels to less than half of capacity after the "
                "river fell to its lowest level since records began, threatening supplies of fuel, grain and "
                "chemicals to factories in Germany, Switzerland and the Netherlands.",
                "The gauge at Kaub, a narrow stretch between Koblenz and Mainz that shippers treat as the river's "
                "bottleneck, read 31 centimetres on Wednesday morning. Below about 40 centimetres many large barges "
                "cannot pass fully loaded.",
                "Freight rates have tripled in a fortnight, according to a Duisburg broker, and some chemical plants "
                "have begun moving raw materials by rail instead, at higher cost.",
                "Hydrologists blame a dry spring and the early melt of Alpine snow. Little rain is forecast for the "
                "next ten days.",
                "Economists in Frankfurt warned that a long disruption could shave a tenth of a percentage point off "
                "German growth this quarter, as it did during a similar drought six years ago.",
                "Operators say the shallowest stretches could close to the largest vessels within a week if the forecast holds. Some have begun splitting cargoes between two smaller barges, which doubles crew costs.",
            ),
        ),
        Text(
            story="gb-night-buses",
            title="Council backs all-night bus routes for Northgate's outer estates",
            description="Three new night routes will link the city centre with Eastfield, Marlow Green and the hospital.",
            author="Priya Desai",
            section="local",
            hours_ago=3,
            paragraphs=(
                "Northgate city council voted on Tuesday evening to run buses through the night on three routes "
                "that link the centre with Eastfield, Marlow Green and the general hospital.",
                "The trial will start in September and last a year. Buses will run every 30 minutes between "
                "midnight and five in the morning, and fares will match daytime tickets.",
                "Nurses and cleaners who work late shifts had campaigned for the change for almost two years, "
                "saying that taxis home cost them up to a fifth of a night's pay.",
                "Councillor Tom Ashworth, who chairs the transport committee, said the routes would cost about "
                "£1.2 million and would be paid for from parking income. Opposition members questioned whether "
                "enough drivers could be recruited in time.",
                "The last night buses in Northgate were withdrawn eleven years ago, when the council cut its transport budget. Since then the only way home after midnight has been a taxi or a long walk, and several late-shift workers told the committee they had turned down jobs because of it.",
                "Passenger numbers will be counted every month, and the council has promised to publish them.",
            ),
        ),
        Text(
            story="gb-premium",
            title="Inside the Herald: our subscriber briefing",
            description="A members-only page that robots.txt keeps crawlers away from.",
            author="The Herald desk",
            section="premium",
            hours_ago=5,
            paragraphs=(
                "This page is reserved for subscribers and is listed in the feed only so that crawlers can show "
                "they respect the rules in robots.txt.",
                "Anything fetched from here would mean the crawler ignored the site's wishes.",
            ),
        ),
    ],
    "lakeshore-courier": [
        WIRE_OCEAN,
        Text(
            story="us-lead-pipes",
            title="Lakeshore to replace every lead water pipe within eight years",
            description="The city council approved a $96 million plan, with federal grants covering most of the cost.",
            author="Marcus Bell",
            section="local",
            hours_ago=10,
            paragraphs=(
                "Lakeshore will dig up and replace all of the roughly 14,000 lead service lines that still carry "
                "drinking water into older homes, under a plan the city council approved 7-2 on Monday night.",
                "The work will cost about $96 million. Federal infrastructure grants will pay for nearly two thirds, "
                "and the rest will come from a water bond that voters approved last year. Homeowners will not be "
                "billed for the pipe on their side of the property line.",
                "Crews will start in the North Harbor and Millbrook neighborhoods, where testing last summer found "
                "the highest lead readings in kitchen taps.",
                '"Families shouldn\'t have to wonder what is in a glass of water," Mayor Denise Okafor said after '
                "the vote. The two council members who voted no said the schedule was too slow.",
                "Residents can look up whether their address has a lead line on the city's website.",
            ),
        ),
        Text(
            story="us-ballpark",
            title="Minor league Lakeshore Herons unveil plans for waterfront ballpark",
            description="The team wants to open a 7,500-seat stadium on the old rail yard by 2028.",
            author="Jenna Ruiz",
            section="sports",
            hours_ago=28,
            paragraphs=(
                "The Lakeshore Herons, the city's minor league baseball team, showed off drawings on Friday for a "
                "7,500-seat ballpark on the former rail yard along the lake.",
                "Team owner Carl Hendricks said private investors would pay for the stadium itself, but he asked the "
                "city to cover new roads, a parking deck and a pedestrian bridge, at an estimated $40 million.",
                "Supporters said the park would bring year-round restaurants and concerts to a stretch of shoreline "
                "that has sat empty for two decades. Critics on the council said public money should go to schools "
                "and roads first.",
                "A public hearing is scheduled for next month.",
                "The Herons have played at Municipal Field, a 1950s stadium on the west side, for more than forty years. The team says the old park needs repairs it cannot afford and lacks the lighting and clubhouse facilities the league now requires.",
                "Hendricks said the team would stay in Lakeshore whatever the council decided, but added that league officials had asked for a firm plan by the end of next year.",
            ),
        ),
    ],
    "rheinblick": [
        Text(
            story="ocean-treaty",
            title="Durchbruch in Lissabon: Erste Schutzgebiete auf der Hohen See beschlossen",
            description="61 Staaten einigen sich nach einer Nachtsitzung auf drei Meeresschutzgebiete.",
            author="Katrin Vogel",
            section="politik",
            hours_ago=6,
            paragraphs=(
                "Nach einer langen Verhandlungsnacht haben sich Vertreter aus 61 Staaten in Lissabon auf die ersten "
                "drei Schutzgebiete auf der Hohen See geeinigt. Dort sollen vom kommenden Jahr an industrielle "
                "Fischerei und Tiefseebergbau verboten sein.",
                "Die Gebiete liegen in der Sargassosee, an einer Kette von Unterwasserbergen im Südostpazifik und im "
                "Indischen Ozean. Zusammen sind sie etwa so groß wie Frankreich und Spanien.",
                'Die Bundesregierung begrüßte die Einigung. Die Umweltministerin sprach von einem "historischen Tag '
                'für die Meere", mahnte aber, dass Kontrollen auf See nun schnell finanziert werden müssten.',
                "Umstritten war bis zuletzt das Gebiet im Pazifik. Bestehende Fanglizenzen dürfen nun bis zu ihrem "
                "Ablauf genutzt werden, neue werden nicht mehr vergeben.",
                "Bevor das Abkommen gilt, müssen es mindestens 40 Parlamente ratifizieren. Der Bundestag könnte sich "
                "nach Angaben aus Koalitionskreisen noch vor dem Winter damit befassen.",
                "Deutsche Meeresforscher hatten an der Auswahl der Gebiete mitgearbeitet. Eine Biologin aus Kiel sagte, die Schutzzonen könnten bedrohten Haien und Schildkröten Rückzugsräume bieten, wenn die Regeln auch wirklich kontrolliert würden.",
            ),
        ),
        Text(
            story="rhine-low-water",
            title="Pegel Kaub auf Rekordtief: Binnenschiffer fahren nur noch halb beladen",
            description="Der Rhein führt so wenig Wasser wie nie seit Beginn der Messungen.",
            author="Jonas Becker",
            section="wirtschaft",
            hours_ago=18,
            paragraphs=(
                "Der Pegel Kaub am Mittelrhein ist am Mittwochmorgen auf 31 Zentimeter gefallen – so tief wie nie "
                "seit Beginn der Aufzeichnungen. Für die Binnenschifffahrt ist die Stelle zwischen Koblenz und Mainz "
                "ein Nadelöhr.",
                "Viele Schiffe können nur noch ein Drittel bis die Hälfte ihrer üblichen Ladung aufnehmen. Die "
                "Frachtraten haben sich nach Angaben von Maklern in Duisburg binnen zwei Wochen verdreifacht.",
                "Mehrere Chemiewerke am Oberrhein verlagern Transporte auf die Schiene. Ein Sprecher eines Betriebs "
                "in Ludwigshafen sagte, die Versorgung sei vorerst gesichert, aber deutlich teurer.",
                "Die Bundesanstalt für Gewässerkunde erwartet in den kommenden zehn Tagen kaum Regen. Schuld an dem "
                "niedrigen Wasserstand seien ein trockenes Frühjahr und die frühe Schneeschmelze in den Alpen.",
                "Ökonomen schätzen, dass ein längerer Engpass das Wachstum in diesem Quartal spürbar bremsen könnte.",
                "Binnenschiffer berichten, dass sie an manchen Stellen nur noch mit wenigen Zentimetern Wasser unter dem Kiel fahren. Einige Reedereien teilen ihre Ladung inzwischen auf zwei kleinere Schiffe auf, was die Kosten für Personal deutlich erhöht.",
            ),
        ),
        Text(
            story="de-bridge",
            title="Neue Radbrücke über den Rhein in Köln eröffnet",
            description="Nach vier Jahren Bauzeit verbindet die Brücke Deutz und die Altstadt für Rad- und Fußverkehr.",
            author="Lena Hoffmann",
            section="lokales",
            hours_ago=30,
            paragraphs=(
                "Köln hat am Samstag eine neue Brücke für Radfahrer und Fußgänger über den Rhein eröffnet. Sie "
                "verbindet Deutz mit der Altstadt und ist 420 Meter lang.",
                "Tausende Menschen kamen zur Eröffnung. Die Oberbürgermeisterin fuhr als Erste mit dem Rad über die "
                'Brücke und sprach von einem "Geschenk an alle, die ohne Auto unterwegs sind".',
                "Der Bau hatte vier Jahre gedauert und rund 58 Millionen Euro gekostet, etwa ein Viertel mehr als "
                "geplant. Das Land Nordrhein-Westfalen trug gut die Hälfte der Kosten.",
                "Die Stadt rechnet mit bis zu 12.000 Überfahrten am Tag. Auf den bisherigen Brücken teilten sich "
                "Radfahrer enge Wege mit Fußgängern.",
                "Anwohner in Deutz hatten lange gegen die Pläne geklagt, weil sie mehr Lärm und Gedränge am Ufer befürchteten. Ein Gericht wies die Klagen vor drei Jahren ab. Die Stadt hat zugesagt, an beiden Enden der Brücke neue Abstellplätze für 600 Fahrräder zu bauen.",
                "Nachts wird die Brücke mit sparsamen Leuchten im Geländer beleuchtet, damit Vögel und Fledermäuse am Fluss möglichst wenig gestört werden.",
            ),
        ),
    ],
    "el-faro-sur": [
        Text(
            story="ocean-treaty",
            title="Acuerdo en Lisboa para crear las primeras reservas marinas en alta mar",
            description="Sesenta y un países pactan tres zonas protegidas fuera de las aguas nacionales.",
            author="Lucía Navarro",
            section="internacional",
            hours_ago=5,
            paragraphs=(
                "Representantes de 61 países alcanzaron en la madrugada del jueves en Lisboa un acuerdo para crear las "
                "tres primeras zonas protegidas en alta mar, donde quedarán prohibidas la pesca industrial y la "
                "minería submarina a partir del próximo año.",
                "Las reservas se sitúan en el mar de los Sargazos, en una cadena de montes submarinos del Pacífico "
                "sudoriental y en el océano Índico. En conjunto ocupan una superficie similar a la de España y "
                "Francia juntas.",
                "La delegación española destacó el papel de los científicos del Instituto Español de Oceanografía en "
                "el trazado de las fronteras. El sector pesquero gallego pidió garantías para las licencias vigentes, "
                "que podrán usarse hasta su vencimiento.",
                "Las organizaciones ecologistas celebraron el pacto, aunque advirtieron de que todavía falta dinero "
                "para vigilar las zonas con barcos y satélites.",
                "El tratado entrará en vigor cuando lo ratifiquen al menos 40 parlamentos.",
                "El Gobierno ha anunciado que enviará el texto a las Cortes antes de fin de año. Fuentes del Ministerio para la Transición Ecológica señalaron que España aspira a acoger la secretaría encargada de coordinar la vigilancia de las reservas.",
            ),
        ),
        Text(
            story="rhine-low-water",
            title="La sequía deja el Rin bajo mínimos y frena el transporte fluvial en Europa",
            description="Las barcazas navegan a media carga y la industria alemana busca alternativas.",
            author="Diego Ferrer",
            section="economia",
            hours_ago=15,
            paragraphs=(
                "El río Rin, la principal vía fluvial de mercancías de Europa, ha caído a su nivel más bajo desde que "
                "existen registros. En Kaub, el punto más delicado para la navegación, el agua apenas alcanza los 31 "
                "centímetros.",
                "Las barcazas solo pueden cargar entre un tercio y la mitad de lo habitual, y el precio del flete se "
                "ha triplicado en dos semanas, según corredores de Duisburgo.",
                "Varias plantas químicas alemanas han empezado a trasladar materias primas por ferrocarril. Los "
                "analistas temen que el problema afecte también a las exportaciones españolas que llegan a Alemania "
                "a través de los puertos de Róterdam y Amberes.",
                "Los hidrólogos atribuyen la situación a una primavera seca y al deshielo temprano en los Alpes. No se "
                "esperan lluvias importantes en los próximos diez días.",
                "Los transportistas explican que algunos barcos navegan con apenas unos centímetros de agua bajo el casco. Varias navieras reparten ya la carga entre dos embarcaciones más pequeñas, lo que encarece mucho el servicio.",
            ),
        ),
        Text(
            story="es-heat",
            title="Sevilla activa el plan de calor con temperaturas de 42 grados en mayo",
            description="El Ayuntamiento abre refugios climáticos y adelanta el horario de los parques.",
            author="Carmen Ruiz",
            section="andalucia",
            hours_ago=26,
            paragraphs=(
                "El Ayuntamiento de Sevilla activó este miércoles su plan contra el calor ante una ola de "
                "temperaturas inusual para mayo, con máximas que rozarán los 42 grados hasta el fin de semana.",
                "La ciudad abrirá catorce refugios climáticos en bibliotecas y centros cívicos, con aire "
                "acondicionado y agua gratuita, y los parques cerrarán en las horas centrales del día.",
                "Los médicos recomiendan evitar la actividad física al aire libre entre las doce y las ocho de la "
                "tarde y prestar atención a las personas mayores que viven solas.",
                "La Agencia Estatal de Meteorología prevé un descenso de las temperaturas a partir del lunes.",
                "Los servicios de emergencias sanitarias han reforzado sus turnos y los colegios podrán flexibilizar el horario de salida para que los alumnos no vuelvan a casa en las horas de más calor.",
                "Es la primera vez que el plan se activa antes de junio desde que se puso en marcha hace casi dos décadas. Los vecinos del barrio de Triana, donde la sombra escasea, reclaman más toldos y arbolado en las calles.",
            ),
        ),
    ],
    "minato-shimbun": [
        Text(
            story="ocean-treaty",
            title="公海に初の海洋保護区 リスボン会議で61カ国が合意",
            description="サルガッソー海など3海域で商業漁業と海底採掘を禁止へ。",
            author="佐藤 美咲",
            section="kokusai",
            hours_ago=4,
            paragraphs=(
                "ポルトガルの首都リスボンで開かれていた国際会議は、夜を徹した協議の末、公海に初めて3カ所の海洋保護区を"
                "設けることで61カ国が合意した。保護区では来年から商業漁業と海底での鉱物採掘が禁止される。",
                "対象はサルガッソー海、南東太平洋の海山列、そしてジンベエザメの回遊で知られるインド洋の海域で、"
                "面積は合わせてフランスとスペインを足した広さに相当する。",
                "太平洋の海域をめぐっては漁業国が最後まで反対したが、既存の漁業許可は期限まで有効とし、新たな許可は"
                "出さないという妥協案でまとまった。",
                "日本政府の代表団は「科学的な根拠に基づく管理が重要だ」とコメントした。環境団体は合意を歓迎しつつ、"
                "監視船や衛星による監視の財源がまだ決まっていないと指摘している。",
                "協定は少なくとも40カ国の議会が批准した後に発効する。",
            ),
        ),
        Text(
            story="rhine-low-water",
            title="ライン川が記録的な低水位 欧州の物流に影響",
            description="はしけの積載量が半分以下に、ドイツの化学工場は鉄道輸送に切り替え。",
            author="高橋 健一",
            section="keizai",
            hours_ago=16,
            paragraphs=(
                "欧州最大の内陸水運路であるライン川の水位が、観測開始以来の最低を記録した。航行の難所とされる"
                "カウプの水位計は31センチまで下がった。",
                "多くのはしけが通常の半分以下しか荷物を積めず、デュイスブルクの仲介業者によると運賃は2週間で3倍に"
                "上昇した。ドイツの化学メーカーの一部は原料の輸送を鉄道に切り替えている。",
                "専門家は、雨の少ない春とアルプスの早い雪解けが原因だと分析している。今後10日間もまとまった雨は"
                "予想されていない。",
                "ドイツに進出している日系企業の間でも、部品や原材料の到着が遅れることへの警戒感が広がっている。",
                "はしけの船員によると、場所によっては船底の下に数センチの余裕しかない状態で航行しているという。積み荷を小型の2隻に分けて運ぶ業者も出ており、人件費がかさんでいる。",
            ),
        ),
        Text(
            story="jp-tram",
            title="大阪・堺の路面電車に新型車両 バリアフリー化進む",
            description="床の低い新型車両が運行を開始、車いすでも段差なく乗車可能に。",
            author="中村 陽子",
            section="chiiki",
            hours_ago=33,
            paragraphs=(
                "大阪と堺を結ぶ路面電車で、床の低い新型車両の運行が始まった。ホームとの段差がほとんどなく、"
                "車いすやベビーカーでもそのまま乗り込める。",
                "新型車両は3両編成で定員は約150人。冷房の効きを改善し、車内の案内表示は日本語、英語、中国語、"
                "韓国語に対応している。",
                "運行会社は今後3年間で旧型車両の半数を置き換える計画で、費用の一部は国と自治体が補助する。",
                "初日に乗車した沿線の住民は「祖母を連れて出かけやすくなる」と話していた。",
                "この路面電車は100年近い歴史があり、沿線には商店街や古い寺社が多い。利用者の減少が続いていたが、近年は観光客の利用が増えており、運行会社は停留所の改修も進める方針だ。",
                "新型車両は平日の朝と夕方を中心に運行し、時刻表は運行会社のウェブサイトで確認できる。",
            ),
        ),
    ],
}

#: The updated version of the Northgate night-bus article (same URL, served from the second request on).
NIGHT_BUS_UPDATE = (
    "Update: after this article was first published, the council confirmed that a fourth route, to the "
    "Riverside industrial park, will be added to the trial from January, and that Northgate Bus Company has "
    "agreed to hire 24 extra drivers for the night services.",
)
