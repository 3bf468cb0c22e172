"""Major-hazard criteria (重大事故隐患判定标准) every installation starts with.

The rows paraphrase, in our own words, the situations of 应急管理部令第10号《工贸企业重大事故隐患
判定标准》 (in force 2023-05-15), grouped as the standard groups them: article 3 applies to every
industry and trade enterprise (安全管理), articles 4–10 to one industry each (冶金、有色、建材、机械、
轻工、纺织、烟草; 商贸 is named in the scope but has no article of its own), articles 11–13 to three
special fields (粉尘防爆、液氨制冷、有限空间作业).

They are paraphrases, not the official text: check each against the standard before relying on it.
An administrator can edit the table (wording, new rows, ``active`` off for a withdrawn rule) without
code. Codes number our rows within a field in the article's order; ``TO_VERIFY`` names the rows
whose wording is least certain and ``MISSING`` the situations not yet in the table.
"""

from __future__ import annotations

STANDARD = "应急管理部令第10号《工贸企业重大事故隐患判定标准》"

MANAGEMENT = "安全管理"
METALLURGY = "冶金"
NONFERROUS = "有色"
BUILDING_MATERIALS = "建材"
MACHINERY = "机械"
LIGHT_INDUSTRY = "轻工"
TEXTILES = "纺织"
TOBACCO = "烟草"
DUST = "粉尘防爆"
AMMONIA = "液氨制冷"
CONFINED_SPACE = "有限空间作业"

# (code, field, text)
CRITERIA: list[tuple[str, str, str]] = [
    # 第三条: every industry and trade enterprise
    ("GM-01", MANAGEMENT, "对承包、承租单位的安全生产工作没有统一协调、管理，或者没有定期对其开展安全检查"),
    ("GM-02", MANAGEMENT, "特种作业人员没有按规定经过专门的安全作业培训、取得相应资格就上岗作业"),
    ("GM-03", MANAGEMENT, "金属冶炼企业的主要负责人或安全生产管理人员没有按规定考核合格"),
    # 第四条: 冶金
    (
        "YJ-01",
        METALLURGY,
        "会议室、活动室、休息室、操作室、交接班室、更衣室（含澡堂）这类人员聚集场所，或者钢铁水罐冷（热）修"
        "工位，设在铁水、钢水、液渣吊运跨的地坪区域内",
    ),
    (
        "YJ-02",
        METALLURGY,
        "生产期间，冶炼、精炼、铸造区域的事故坑、炉下渣坑，或者熔融金属泄漏、喷溅可能波及的炉前平台、炉基、"
        "厂房内吊运和地面运输通道等区域有积水",
    ),
    (
        "YJ-03",
        METALLURGY,
        "炼钢连铸流程缺少事故钢水罐、中间罐漏钢坑（槽）、中间罐溢流坑（槽）或漏钢回转溜槽之一，或者模铸流程"
        "缺少事故钢水罐（坑、槽）",
    ),
    (
        "YJ-04",
        METALLURGY,
        "转炉、电弧炉、AOD、LF、RH、VOD 等炼钢炉的水冷元件没有出水温度、进出水流量差等监测报警，或者报警没有"
        "与炉体倾动、氧（副）枪自动提升、电极自动断电和升起联锁",
    ),
    (
        "YJ-05",
        METALLURGY,
        "高炉生产时炉顶工作压力设定值高于设计文件规定的最高工作压力；或者炉顶压力监测没有与炉顶放散阀联锁；"
        "或者放散阀的联锁放散压力设定值高于设备设计压力",
    ),
    (
        "YJ-06",
        METALLURGY,
        "煤气生产、回收净化、加压混合、储存、使用设施附近的人员聚集场所，以及可能泄漏、积聚煤气的场所和部位，"
        "没有固定式一氧化碳浓度监测报警，或者监测数据没有接入24小时有人值守的场所",
    ),
    (
        "YJ-07",
        METALLURGY,
        "加热炉、煤气柜、除尘器、加压机、烘烤器等设施，或者进入车间前的煤气管道，没有安装隔断装置",
    ),
    (
        "YJ-08",
        METALLURGY,
        "正压煤气输配管线的水封式排水器最高封堵压力低于30kPa；或者同一煤气管道隔断装置两侧共用一个排水器；"
        "或者不同煤气管道排水器上部的排水管相通；或者不同介质的煤气管道共用排水器",
    ),
    # 第五条: 有色 (incomplete, see MISSING)
    (
        "YS-01",
        NONFERROUS,
        "生产期间，冶炼、精炼、铸造区域的事故坑、炉下渣坑，或者熔融金属泄漏、喷溅可能波及的区域有积水",
    ),
    (
        "YS-02",
        NONFERROUS,
        "熔融金属铸造环节没有紧急排放和应急储存设施（倾动式熔炼炉、倾动式保温炉、倾动式熔保一体炉和带保温炉的"
        "固定式熔炼炉除外）",
    ),
    (
        "YS-03",
        NONFERROUS,
        "用水冷却的冶炼炉窑、铸造机（铝加工深井铸造的结晶器除外）、加热炉没有应急水源",
    ),
    (
        "YS-04",
        NONFERROUS,
        "熔融金属冶炼炉窑的闭路循环水冷元件没有出水温度、进出水流量差监测报警；开路水冷元件没有进水流量、压力"
        "监测报警；或者不监测开路水冷元件的出水温度",
    ),
    (
        "YS-05",
        NONFERROUS,
        "铝加工深井铸造结晶器的冷却水系统没有进水压力、进水流量监测报警；或者报警没有与快速切断阀、紧急排放阀、"
        "流槽断开装置联锁；或者没有与倾动式浇铸炉的控制系统联锁",
    ),
    (
        "YS-06",
        NONFERROUS,
        "铝加工深井铸造浇铸炉的铝液出口流槽、流槽与模盘（分配流槽）入口连接处没有液位监测报警；或者固定式浇铸炉"
        "的铝液出口没有机械锁紧装置",
    ),
    (
        "YS-07",
        NONFERROUS,
        "铝加工深井铸造的固定式浇铸炉：铝液流槽没有紧急排放阀；或者流槽与模盘（分配流槽）入口连接处没有快速切断阀"
        "（断开装置）；或者该处液位监测报警没有与快速切断阀（断开装置）、紧急排放阀联锁",
    ),
    (
        "YS-08",
        NONFERROUS,
        "铝加工深井铸造的倾动式浇铸炉：流槽与模盘（分配流槽）入口连接处没有快速切断阀（断开装置）；或者该处液位"
        "监测报警没有与浇铸炉倾动控制系统、快速切断阀（断开装置）联锁",
    ),
    (
        "YS-09",
        NONFERROUS,
        "铝加工深井铸造机的钢丝卷扬系统用了非钢芯钢丝绳，或者没有落实钢丝绳定期检查、更换制度",
    ),
    (
        "YS-10",
        NONFERROUS,
        "可能泄漏、积聚一氧化碳、砷化氢、氯气、硫化氢等有毒气体的场所和部位没有固定式气体浓度监测报警，或者"
        "监测数据没有接入24小时有人值守的场所",
    ),
    (
        "YS-11",
        NONFERROUS,
        "使用煤气（天然气）并强制送风的燃烧装置，燃气总管没有压力监测报警，或者报警没有与紧急自动切断装置联锁",
    ),
    # 第六条: 建材
    (
        "JC-01",
        BUILDING_MATERIALS,
        "煤磨袋式收尘器、煤粉仓没有温度和固定式一氧化碳浓度监测报警，或者没有气体灭火装置",
    ),
    ("JC-02", BUILDING_MATERIALS, "筒型储库人工清库时，没有落实清库方案中防高处坠落、防坍塌等安全措施"),
    (
        "JC-03",
        BUILDING_MATERIALS,
        "水泥企业的电石渣原料筒型储库没有固定式可燃气体浓度监测报警，或者报警没有与事故通风联锁",
    ),
    (
        "JC-04",
        BUILDING_MATERIALS,
        "进入筒型储库、焙烧窑、预热器旋风筒、分解炉、竖炉、篦冷机、磨机、破碎机之前，没有隔离可能意外启动的设备"
        "和可能涌入的物料、高温气体、有毒有害气体，或者没有落实防高处坠落、防坍塌措施",
    ),
    (
        "JC-05",
        BUILDING_MATERIALS,
        "预混燃烧的燃气窑炉（热发生炉煤气窑炉除外），燃气总管没有管道压力监测报警，或者报警没有与紧急自动切断装置联锁",
    ),
    (
        "JC-06",
        BUILDING_MATERIALS,
        "制氢站、氮氢保护气体配气间、燃气配气间没有固定式可燃气体浓度监测报警",
    ),
    ("JC-07", BUILDING_MATERIALS, "电熔制品电炉的水冷设备失效"),
    ("JC-08", BUILDING_MATERIALS, "玻璃窑炉、玻璃锡槽等设备的水冷、风冷保护系统没有监测报警"),
    # 第七条: 机械
    (
        "JX-01",
        MACHINERY,
        "会议室、活动室、休息室、更衣室、交接班室这类人员聚集场所设在熔融金属吊运跨或浇注跨的地坪区域内",
    ),
    ("JX-02", MACHINERY, "铸造用熔炼炉、精炼炉、保温炉没有紧急排放和应急储存设施"),
    (
        "JX-03",
        MACHINERY,
        "生产期间，铸造用熔炼炉、精炼炉、保温炉的炉底、炉坑、事故坑，或者熔融金属泄漏、喷溅可能波及的区域有积水",
    ),
    (
        "JX-04",
        MACHINERY,
        "铸造用熔炼炉、精炼炉、压铸机、氧枪的冷却水系统没有出水温度、进出水流量差等监测报警，或者报警没有与熔融"
        "金属的加热、输送控制系统联锁",
    ),
    (
        "JX-05",
        MACHINERY,
        "使用煤气（天然气）的燃烧装置，燃气总管没有管道压力监测报警，或者报警没有与紧急自动切断装置联锁，或者燃烧"
        "装置没有火焰监测和熄火保护",
    ),
    (
        "JX-06",
        MACHINERY,
        "用可燃性有机溶剂清洗设备设施、工装器具、地面时，没有采取措施防止可燃气体在周边密闭或半密闭空间内积聚",
    ),
    (
        "JX-07",
        MACHINERY,
        "使用非水性漆的调漆间、喷漆室没有固定式可燃气体浓度监测报警，或者没有通风设施",
    ),
    # 第八条: 轻工
    ("QG-01", LIGHT_INDUSTRY, "食品制造企业的烘制、油炸设备没有防过热自动切断装置"),
    (
        "QG-02",
        LIGHT_INDUSTRY,
        "白酒勾兑、灌装场所和酒库没有固定式乙醇蒸气浓度监测报警，或者报警没有与通风设施联锁",
    ),
    ("QG-03", LIGHT_INDUSTRY, "纸浆制造、造纸企业用蒸汽或明火直接加热钢瓶来汽化液氯"),
    (
        "QG-04",
        LIGHT_INDUSTRY,
        "日用玻璃、陶瓷制造企业的燃气窑炉没有燃气低压报警和紧急切断装置",
    ),
    (
        "QG-05",
        LIGHT_INDUSTRY,
        "日用玻璃制造企业的炉、窑类设备本体或附属设施出现开裂、变形等严重缺陷后仍继续使用",
    ),
    (
        "QG-06",
        LIGHT_INDUSTRY,
        "使用非水性漆的调漆间、喷漆室没有固定式可燃气体浓度监测报警，或者没有通风设施",
    ),
    ("QG-07", LIGHT_INDUSTRY, "锂离子电池储存仓库没有对故障电池采取有效的物理隔离措施"),
    # 第九条: 纺织
    (
        "FZ-01",
        TEXTILES,
        "纱、线、织物加工中烧毛、开幅、烘干等热定型工艺的汽化室、燃气贮罐、储油罐、热媒炉，没有与生产加工等"
        "人员聚集场所隔开，也没有单独设置",
    ),
    (
        "FZ-02",
        TEXTILES,
        "保险粉、双氧水、次氯酸钠、亚氯酸钠、雕白粉（吊白块）与禁忌物料混放储存，或者保险粉储存场所没有防水防潮措施",
    ),
    # 第十条: 烟草
    (
        "YC-01",
        TOBACCO,
        "熏蒸作业场所没有磷化氢浓度监测报警仪器或防毒面具，或者熏蒸杀虫前没有确认无关人员已全部撤离",
    ),
    (
        "YC-02",
        TOBACCO,
        "用液态二氧化碳制造膨胀烟丝的生产线和场所没有固定式二氧化碳浓度监测报警，或者报警没有与事故通风联锁",
    ),
    # 第十一条: 存在粉尘爆炸危险的工贸企业
    (
        "FC-01",
        DUST,
        "粉尘爆炸危险场所设在非框架结构的多层建（构）筑物内，或者场所内设有员工宿舍、会议室、办公室、休息室等"
        "人员聚集场所",
    ),
    (
        "FC-02",
        DUST,
        "不同类别的可燃性粉尘，或者可燃性粉尘与可燃气体等会加剧爆炸危险的介质，共用一套除尘系统；或者不同建"
        "（构）筑物、不同防火分区共用除尘系统，或者除尘系统互联互通",
    ),
    ("FC-03", DUST, "干式除尘系统泄爆、惰化、抑爆等爆炸防控措施一项也没有"),
    (
        "FC-04",
        DUST,
        "铝镁等金属粉尘采用正压除尘；或者其他可燃性粉尘正压吹送时没有火花探测消除等防点燃源措施",
    ),
    ("FC-05", DUST, "用重力沉降室除尘，或者用干式巷道式构筑物作除尘风道"),
    ("FC-06", DUST, "铝镁等金属粉尘、木质粉尘的干式除尘系统没有锁气卸灰装置"),
    ("FC-07", DUST, "除尘器、收尘仓等划为20区的粉尘爆炸危险场所，电气设备不符合防爆要求"),
    (
        "FC-08",
        DUST,
        "粉碎、研磨、造粒等容易产生机械点燃源的设备前没有铁、石等杂物去除装置；或者木制品加工企业与砂光机相连的"
        "风管没有火花探测消除装置",
    ),
    (
        "FC-09",
        DUST,
        "遇湿自燃的金属粉尘，收集、堆放、储存场所没有通风等防止氢气积聚的措施，或者干式收集、堆放、储存场所没有"
        "防水防潮措施",
    ),
    ("FC-10", DUST, "粉尘清理制度没有落实，作业现场积尘严重"),
    # 第十二条: 使用液氨制冷的工贸企业
    ("AN-01", AMMONIA, "包装、分割、产品整理场所的空调系统采用氨直接蒸发制冷"),
    ("AN-02", AMMONIA, "快速冻结装置没有设在单独的作业间内，或者其作业间内作业人员超过9人"),
    # 第十三条: 存在硫化氢、一氧化碳等中毒风险的有限空间作业
    (
        "YX-01",
        CONFINED_SPACE,
        "没有对有限空间进行辨识、建立安全管理台账，并且没有设置明显的安全警示标志",
    ),
    (
        "YX-02",
        CONFINED_SPACE,
        "没有落实有限空间作业审批，或者没有执行“先通风、再检测、后作业”，或者作业现场没有设置监护人员",
    ),
]

# Rows whose wording is the least certain: compare these with the standard first.
TO_VERIFY = ("YS-01", "YS-10", "YS-11", "QG-04", "QG-05", "FZ-01", "YX-02")

# Situations of the standard not yet in the table (the standard counts 64; CRITERIA holds 62).
MISSING = {NONFERROUS: 2}


def rows() -> list[dict[str, str]]:
    return [{"code": code, "standard": STANDARD, "field": field, "text": text} for code, field, text in CRITERIA]


def load_criteria(MajorHazardCriterion) -> int:
    """Create or refresh every row by code (idempotent). Takes the model class, so a migration can
    pass its historical model. ``active`` is left as an administrator set it. Returns the count."""
    for row in rows():
        MajorHazardCriterion.objects.update_or_create(
            code=row["code"], defaults={"standard": row["standard"], "field": row["field"], "text": row["text"]}
        )
    return len(CRITERIA)
